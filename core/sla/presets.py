"""Presets: the column mappings of exports whose shape is documented, as data files
(``core/sla/presets/*.toml``), not code. A preset names the shape (one row per conversation or
per message) and maps our fields onto the export's columns; the import checks the file as always.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from core.errors import ValidationError
from core.i18n import _
from core.sla.import_fields import FIELD_BY_KEY, MESSAGE_FIELD_BY_KEY

FOLDER = Path(__file__).resolve().parent / "presets"
SHAPES = ("conversations", "messages")


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    shape: str  # "conversations" or "messages"
    mapping: dict[str, str]
    description: str = ""
    # Label and description in other languages: language → (label, description).
    translations: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def messages(self) -> bool:
        return self.shape == "messages"

    def label_in(self, language: str) -> str:
        """The label in ``language`` (English when the preset has none in it)."""
        return self.translations.get(language, (self.label, ""))[0] or self.label

    def description_in(self, language: str) -> str:
        return self.translations.get(language, ("", self.description))[1] or self.description


def _load(path: Path) -> Preset:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    shape = data.get("shape", "")
    if shape not in SHAPES:
        raise ValueError(f"{path.name}: shape must be one of {SHAPES}")  # i18n: not text
    fields = MESSAGE_FIELD_BY_KEY if shape == "messages" else FIELD_BY_KEY
    mapping = {str(k): str(v) for k, v in data.get("mapping", {}).items()}
    unknown = sorted(set(mapping) - set(fields))
    if unknown:
        raise ValueError(f"{path.name}: unknown fields {unknown}")  # i18n: not text
    return Preset(
        name=str(data.get("name") or path.stem),
        label=str(data.get("label") or path.stem),
        shape=shape,
        mapping=mapping,
        description=" ".join(str(data.get("description", "")).split()),
        translations={
            str(language): (str(text.get("label", "")), " ".join(str(text.get("description", "")).split()))
            for language, text in data.get("translations", {}).items()
        },
    )


@cache
def presets() -> dict[str, Preset]:
    """Every preset shipped, by name (a preset file's ``[translations.<language>]`` holds its label
    and description in that language)."""
    return {preset.name: preset for preset in (_load(path) for path in sorted(FOLDER.glob("*.toml")))}


def preset_named(name: str) -> Preset:
    found = presets().get(name.strip().lower())
    if found is None:
        raise ValidationError(
            _(
                "No preset called {name!r}; the presets are: {presets}.",
                name=name,
                presets=", ".join(presets()) or _("none"),
            )
        )
    return found
