"""The JSON Schema of the configuration files, for editors (VS Code's YAML extension and others).

config/skema/helhedsplan.schema.json and delaftale.schema.json are generated from the models
(model.py) by `python -m helhedsplan skema` and committed; a test keeps them current. Each YAML
file names its schema in its first line (`# yaml-language-server: $schema=...`).
"""

from __future__ import annotations

import json
from pathlib import Path

from .model import Delaftale, Plan

SCHEMAS = {"helhedsplan.schema.json": (Plan, "Helhedsplanen (config/helhedsplan.yaml)"),
           "delaftale.schema.json": (Delaftale, "En delaftale (config/delaftaler/<id>.yaml)")}


def schema_text(model, title: str) -> str:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              **model.model_json_schema(), "title": title}
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, (model, title) in SCHEMAS.items():
        path = folder / name
        text = schema_text(model, title)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        out.append(path)
    return out
