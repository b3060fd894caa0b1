"""Team policy files: the intended use and allow/deny lists, with clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.errors import UsageError
from catalog.licenses import check_compliance, load_policy
from catalog.licenses.policy import Policy


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
use:
  use: commercial
  mau: 900M
  modify: true
  distribute: derivatives
allow_licenses: [Apache-2.0, mit, gemma]
deny_licenses: [llama-2-license-2023]
"""


def test_a_policy_file_gives_the_use_and_normalised_lists(tmp_path, licenses) -> None:
    policy = load_policy(write(tmp_path, GOOD), licenses=licenses)
    assert policy.use.mau == 900_000_000
    assert policy.use.modify is True and policy.use.distribute == "derivatives"
    assert policy.use.train_on_outputs is False and policy.use.host_api is False
    assert policy.allow_licenses == frozenset({"apache-2.0", "mit", "gemma"})
    assert policy.deny_licenses == frozenset({"llama2"})


def test_denied_and_unlisted_licenses_are_forbidden(tmp_path, licenses, models) -> None:
    policy = load_policy(write(tmp_path, GOOD), licenses=licenses)
    picked = [models[i] for i in ("mistral-7b", "gemma-7b", "llama-2-7b", "bloom")]
    out = {v.model: v for v in check_compliance(picked, licenses, policy.use, policy=policy)}
    assert out["mistral-7b"].verdict == "allowed"
    assert out["gemma-7b"].verdict == "conditional"
    denied = out["llama-2-7b"]
    assert denied.verdict == "forbidden" and denied.reasons[0].term == "policy"
    assert "deny list" in denied.reasons[0].detail and str(tmp_path) in denied.reasons[0].detail
    unlisted = out["bloom"]
    assert unlisted.verdict == "forbidden"
    assert "not on the team policy's allow list" in unlisted.reasons[0].detail
    assert unlisted.obligations  # the license's own obligations are still reported


def test_policy_checks_every_license_of_a_lineage(licenses, models) -> None:
    from catalog.licenses import IntendedUse, judge_many

    policy = Policy(use=IntendedUse(), deny_licenses=frozenset({"llama2"}))
    reupload = models["mistral-7b"]
    verdict = judge_many(reupload, [licenses["apache-2.0"], licenses["llama2"]], policy.use)
    assert policy.apply(verdict).verdict == "forbidden"


def test_only_a_use_section_is_needed(tmp_path, licenses) -> None:
    policy = load_policy(write(tmp_path, "use:\n  use: research\n"), licenses=licenses)
    assert policy.allow_licenses is None and policy.deny_licenses == frozenset()
    assert policy.use.use == "research" and policy.use.mau is None


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("use: [unclosed\n", ["policy.yaml:2", "not valid YAML"]),
        ("use:\n  use: commercial\n    mau: 900M\n", ["policy.yaml:3", "not valid YAML"]),
        ("use:\n  use: commercial\n  mua: 900M\n", ["policy.yaml:3", "'use.mua'", "unknown key"]),
        (
            "use:\n  use: commercial\nallowed: [mit]\n",
            ["policy.yaml:3", "'allowed'", "unknown key"],
        ),
        ("use:\n  use: military\n", ["policy.yaml:2", "'use.use'", "unknown use 'military'"]),
        ("use:\n  mau: lots\n", ["policy.yaml:2", "'use.mau'", "not a user count"]),
        ("use:\n  modify: maybe\n", ["policy.yaml:2", "'use.modify'", "expected true or false"]),
        ("use:\n  distribute: everything\n", ["'use.distribute'", "unknown distribution"]),
        (
            "use:\n  use: commercial\ndeny_licenses:\n  - mit\n  - llama-2\n",
            ["policy.yaml:5", "'deny_licenses.1'", "unknown license id 'llama-2'", "llama2"],
        ),
        ("use:\n  use: commercial\nallow_licenses: mit\n", ["'allow_licenses'", "a list"]),
        ("deny_licenses: [mit]\n", ["'use'", "missing required key"]),
        ("- just\n- a list\n", ["must be a mapping"]),
        ("use:\n  use: research\n  use: commercial\n", ["policy.yaml:3", "duplicate key"]),
        ("use: {}\nallow_licenses: [mit]\ndeny_licenses: [MIT]\n", ["both allowed and denied"]),
    ],
)
def test_bad_policy_files_name_file_line_and_field(tmp_path, licenses, text, fragments) -> None:
    with pytest.raises(UsageError) as caught:
        load_policy(write(tmp_path, text), licenses=licenses)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message


def test_every_problem_is_reported_at_once(tmp_path, licenses) -> None:
    text = "use:\n  use: militry\n  mau: x\nallow_licenses: [nope]\n"
    with pytest.raises(UsageError) as caught:
        load_policy(write(tmp_path, text), licenses=licenses)
    message = str(caught.value)
    assert "'use.use'" in message and "'use.mau'" in message and "'nope'" in message


def test_missing_policy_file(tmp_path, licenses) -> None:
    with pytest.raises(UsageError, match="not found"):
        load_policy(tmp_path / "absent.yaml", licenses=licenses)
