"""``advise(...)``: answers in, an :class:`~catalog.advisor.result.Advice` out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from catalog.advisor.alternatives import alternatives
from catalog.advisor.answers import Answers, make_answers
from catalog.advisor.approaches import INFO
from catalog.advisor.candidates import Search
from catalog.advisor.checklist import checklist
from catalog.advisor.result import Advice
from catalog.advisor.rules import decide

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.fit.hardware import Hardware
    from catalog.licenses import IntendedUse


def advise(
    *,
    task: str | None = None,
    examples: int | str | None = None,
    documents: bool | None = None,
    on_prem: bool | None = None,
    budget: str | float | None = None,
    memory: str | int | None = None,
    gpu_memory: str | int | None = None,
    use: str | IntendedUse | None = None,
    mau: str | int | None = None,
    distribute: str | None = None,
    train_on_outputs: bool | None = None,
    host_api: bool | None = None,
    latency: str | None = None,
    cost_per_request: str | None = None,
    tasks: int | None = None,
    top: int | None = None,
    max_params: str | int | None = None,
    context: int | None = None,
    answers: Mapping[str, Any] | Answers | None = None,
    catalog: Catalog | None = None,
    hardware: Hardware | None = None,
) -> Advice:
    """Recommend how to adapt a model for a use case, and which models to start from.

    Every input but ``task`` is optional; ``answers`` (a mapping with the same names, e.g. read
    with :func:`catalog.advisor.load_answers`) fills what the keywords leave out. See
    :mod:`catalog.advisor` for the rules.

    Args:
        task: what the model must do: ``chat``, ``code``, ``classification``, ``extraction``,
            ``summarization``, ``domain-qa``, ``generation``, ``translation`` or free text.
        examples: labelled examples available (default 0).
        documents: the knowledge lives in documents or changes often.
        on_prem: the data must not leave the organisation (no API models, no vendor tuning).
        budget: training compute: ``none``, ``low``, ``medium`` (default), ``high``, GPU-hours
            (``"40h"``) or dollars (``"$500"``).
        memory: simulated available RAM (default: this machine).
        gpu_memory: simulated free memory of one GPU (default: this machine; 0: no GPU).
        use: ``commercial`` (default), ``research``, ``personal``, or an ``IntendedUse``.
        mau: monthly active users of the product.
        distribute: ``none``, ``weights`` or ``derivatives``.
        train_on_outputs: outputs will train another model.
        host_api: the model itself will be offered as a hosted API.
        latency: how much latency matters: ``low``, ``medium`` (default), ``high``.
        cost_per_request: how much the cost of each request matters (same levels).
        tasks: how many tasks one base model should serve (default 1).
        top: models in the shortlist (default 5).
        max_params: the largest model to consider (``"13B"``).
        context: tokens per request for inference estimates (default 4096; 8192 with retrieval).
        answers: more answers by field name (keywords win over them), or validated
            :class:`~catalog.advisor.answers.Answers` used as they are (keywords are then ignored).
        catalog: an open catalog (default: ``Catalog.open()``, closed afterwards).
        hardware: the machine (default: ``detect_hardware(memory=..., gpu_memory=...)``).

    Raises:
        UsageError: a missing task or a bad value; the message names the field.
    """
    from catalog.licenses import IntendedUse

    if isinstance(answers, Answers):
        checked, modify = answers, False
    else:
        keywords = {
            "task": task, "examples": examples, "documents": documents, "on_prem": on_prem,
            "budget": budget, "memory": memory, "gpu_memory": gpu_memory, "use": use, "mau": mau,
            "distribute": distribute, "train_on_outputs": train_on_outputs, "host_api": host_api,
            "latency": latency, "cost_per_request": cost_per_request, "tasks": tasks, "top": top,
            "max_params": max_params, "context": context,
        }  # fmt: skip
        checked, modify = _check(answers or {}, keywords)
    intended = IntendedUse.from_options(
        use=checked.use,
        mau=checked.mau,
        modify=modify,
        distribute=checked.distribute,
        train_on_outputs=checked.train_on_outputs,
        host_api=checked.host_api,
    )
    if hardware is None:
        from catalog.fit.hardware import detect_hardware

        hardware = detect_hardware(memory=checked.memory, gpu_memory=checked.gpu_memory)
    own = catalog is None
    if catalog is None:
        from catalog.api import Catalog

        catalog = Catalog.open()
    try:
        licenses = {entry.id: entry for entry in catalog.licenses()}
        search = Search(catalog, checked, hardware, licenses, intended)
        decision = decide(checked, search)
        info = INFO[decision.approach]
        found = search.find(info)
        return Advice(
            approach=decision.approach,
            rule=decision.rule,
            checklist=tuple(checklist(checked, search, decision, intended)),
            alternatives=tuple(alternatives(checked, search, decision)),
            shortlist=found.candidates[: checked.top],
            fits_here=found.fits_here,
            answers=checked,
            use=search.intended(info),
            hardware=hardware,
        )
    finally:
        if own:
            catalog.close()


def _check(answers: Mapping[str, Any], keywords: dict[str, Any]) -> tuple[Answers, bool]:
    """Validate keyword answers over mapping answers; an ``IntendedUse`` as ``use`` is unpacked.

    Returns:
        The answers and whether the intended use already includes modification.
    """
    from catalog.licenses import IntendedUse

    given = dict(answers)
    given.setdefault("examples", 0)
    use = keywords.pop("use")
    modify = False
    if isinstance(use, IntendedUse):
        given.update(
            use=use.use,
            mau=use.mau,
            distribute=use.distribute,
            train_on_outputs=use.train_on_outputs,
            host_api=use.host_api,
        )
        modify = use.modify
    elif use is not None:
        given["use"] = use
    given.update({key: value for key, value in keywords.items() if value is not None})
    for key in ("memory", "gpu_memory", "mau", "max_params"):
        if isinstance(given.get(key), int) and not isinstance(given[key], bool):
            given[key] = str(given[key])
    return make_answers(given), modify


__all__ = ["advise"]
