"""The policy file format: the README's example works, the flat form is accepted, a mixed file
is refused with a message that shows the right forms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog.errors import UsageError
from catalog.licenses import load_policy
from catalog.licenses.policy import Policy
from catalog.schema import LicenseEntry
from tests.cli.conftest import cli

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def licenses() -> dict[str, LicenseEntry]:
    from catalog.curated import load_curated

    return dict(load_curated().licenses)


def readme_policy() -> str:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    [policy] = [b for b in blocks if b.startswith("use:")]
    return policy


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_readme_example_is_a_complete_valid_policy(
    tmp_path: Path, licenses: dict[str, LicenseEntry]
) -> None:
    text = readme_policy()
    policy = load_policy(write(tmp_path, text), licenses=licenses)
    use = policy.use
    assert (use.use, use.mau, use.modify, use.distribute) == (
        "commercial",
        900_000_000,
        True,
        "derivatives",
    )
    assert use.train_on_outputs is False and use.host_api is False
    assert policy.allow_licenses == frozenset({"apache-2.0", "mit", "llama3.1"})
    assert policy.deny_licenses == frozenset({"llama2"})
    for key in ("use", "mau", "modify", "distribute", "train_on_outputs", "host_api"):
        assert re.search(rf"^{key}:", text, flags=re.M), f"README example lacks {key}"
    result = cli("license", "check", "llama-2-7b", "--policy", str(tmp_path / "policy.yaml"))
    assert result.exit_code == 1 and "forbidden" in result.stdout  # denied by the example


def test_the_flat_form_means_the_same_as_the_nested_one(
    tmp_path: Path, licenses: dict[str, LicenseEntry]
) -> None:
    flat = load_policy(write(tmp_path, "use: commercial\nmau: 900M\n"), licenses=licenses)
    nested = load_policy(
        write(tmp_path, "use:\n  use: commercial\n  mau: 900M\n"), licenses=licenses
    )
    assert isinstance(flat, Policy) and flat.use == nested.use
    assert flat.use.mau == 900_000_000
    only_mau = load_policy(write(tmp_path, "mau: 5000\n"), licenses=licenses)
    assert only_mau.use.use == "commercial" and only_mau.use.mau == 5000


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (
            "use:\n  use: commercial\nmau: 900M\n",
            ["policy.yaml:3", "'mau'", "use: {use: ..., mau: ...}", "`use: commercial`"],
        ),
        ("use: commercial\nmua: 900M\n", ["policy.yaml:2", "'mua'", "unknown key", "mau"]),
        ("use: militry\n", ["policy.yaml:1", "'use'", "unknown use 'militry'"]),
        ("use: commercial\nmau: lots\n", ["policy.yaml:2", "'mau'", "not a user count"]),
        ("use: commercial\nmau: 1,5B\n", ["'mau'", "not a user count"]),
    ],
)
def test_wrong_forms_are_refused_with_the_right_one(
    tmp_path: Path, licenses: dict[str, LicenseEntry], text: str, fragments: list[str]
) -> None:
    with pytest.raises(UsageError) as caught:
        load_policy(write(tmp_path, text), licenses=licenses)
    for fragment in fragments:
        assert fragment in str(caught.value), str(caught.value)
