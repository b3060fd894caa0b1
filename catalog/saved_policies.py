"""License policies saved in the store by name (``modelcat license policy save NAME FILE``).

The YAML text is stored as written, validated when saved and again when used (the license
table may have changed since), with the same rules and messages as a policy file; problems name
the saved policy instead of a file.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.errors import UsageError

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.licenses.policy import Policy
    from catalog.schema import LicenseEntry

MAX_POLICY_BYTES = 1_000_000


def label(name: str) -> str:
    """How reasons and messages cite a saved policy."""
    return f"saved policy {name!r}"


def parse_policy_text(text: str, *, name: str, licenses: Mapping[str, LicenseEntry]) -> Policy:
    """Validate a policy's YAML ``text`` as ``load_policy`` would a file.

    Raises:
        UsageError: too large, or not a valid policy (every problem listed, cited by ``name``).
    """
    from catalog.licenses.policy import load_policy

    if len(text.encode()) > MAX_POLICY_BYTES:
        raise UsageError(f"{label(name)} is larger than {MAX_POLICY_BYTES} bytes")
    fd, raw_path = tempfile.mkstemp(prefix="modelcat-policy-", suffix=".yaml")
    path = Path(raw_path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            policy = load_policy(path, licenses=licenses)
        except UsageError as exc:
            raise UsageError(str(exc).replace(str(path), label(name))) from None
    finally:
        path.unlink(missing_ok=True)
    return dataclasses.replace(policy, path=label(name))


def load_policy_named(cat: Catalog, name_or_path: str) -> Policy:
    """The policy in the file ``name_or_path`` if it exists, else the one saved under that name.

    Raises:
        UsageError: neither a file nor a saved policy, or the policy is not valid.
    """
    from catalog.licenses.policy import load_policy

    licenses = {entry.id: entry for entry in cat.licenses()}
    if Path(name_or_path).is_file():
        return load_policy(name_or_path, licenses=licenses)
    saved = cat.saved_policy(name_or_path)
    if saved is None:
        names = ", ".join(p.name for p in cat.saved_policies()) or "none"
        raise UsageError(
            f"no policy file or saved policy named {name_or_path!r} (saved policies: {names})"
        )
    return parse_policy_text(saved.text, name=saved.name, licenses=licenses)
