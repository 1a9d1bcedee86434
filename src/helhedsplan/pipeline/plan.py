"""Deciding which stages run: a stage whose inputs and upstream are unchanged is reused."""

from __future__ import annotations

import shutil
from pathlib import Path

from .. import freshness
from .model import NOTEBOOK_FOLDER, Build, Plan, Stage


def published_path(build: Build, staged_rel: str) -> Path:
    """Where a staged file ends up: processed/x → data/processed/<år>/x, notebooks/x →
    reports/<år>/notesbøger/x, rapport/x → reports/<år>/x."""
    area, _, rest = staged_rel.partition("/")
    base = {"processed": build.processed_target,
            "notebooks": build.report_target / NOTEBOOK_FOLDER,
            "rapport": build.report_target}[area]
    return base / rest


def make_plan(build: Build, all_stages: list[Stage], recorded: dict, full: bool) -> list[Plan]:
    plans: dict[str, Plan] = {}
    trin = recorded.get("trin", {})
    labels = {s.id: s.label for s in all_stages}
    for stage in all_stages:
        inputs = stage.reads(build)
        key = freshness.key(inputs, [plans[u].key for u in stage.after])
        before = trin.get(stage.id) or {}
        reason = None
        upstream = [u for u in stage.after if plans[u].reason]
        if full:
            reason = "--alt: alt bygges forfra"
        elif not before:
            reason = "der ikke er nogen tidligere bygning at genbruge"
        elif before.get("noegle") != key:
            changed = freshness.what_changed(before.get("inddata", {}), inputs)
            if changed:
                # at most four named; "og 1 andre ting" would be wrong Danish and say less
                shown = changed if len(changed) <= 4 else \
                    [*changed[:3], f"{len(changed) - 3} andre ting"]
                reason = (", ".join(shown[:-1]) + " og " + shown[-1]) if len(shown) > 1 \
                    else shown[0]
            elif upstream:
                reason = f"trinnet '{labels[upstream[0]]}' kører igen"
            else:
                reason = "det, trinnet læser, er ændret"
        elif upstream:
            reason = f"trinnet '{labels[upstream[0]]}' kører igen"
        else:
            for rel, digest in (before.get("uddata") or {}).items():
                target = published_path(build, rel)
                if freshness.digest_file(target) != digest:
                    reason = (f"{target.relative_to(build.root).as_posix()} mangler eller er "
                              "ændret siden sidste bygning")
                    break
            if not before.get("uddata"):
                reason = "trinnet har ingen gemte resultater"
        plans[stage.id] = Plan(stage, inputs, key, reason)
    return list(plans.values())


def reuse(build: Build, plan: Plan, recorded: dict) -> None:
    """Copy a reused stage's published outputs into the staging folder."""
    for rel in recorded["trin"][plan.stage.id]["uddata"]:
        dest = build.staging / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(published_path(build, rel), dest)
