"""Putting a finished build's whole set in place, as one unit, with the record that describes it."""

from __future__ import annotations

from pathlib import Path

from .. import freshness, runs
from .model import NOTEBOOK_FOLDER, Build, Plan, Stage
from .plan import published_path


def _owner(all_stages: list[Stage], rel: str) -> Stage | None:
    return next((s for s in all_stages if s.owns(rel)), None)


def publish_set(build: Build, all_stages: list[Stage], plans: list[Plan], recorded: dict,
                info: dict, check: str) -> None:
    """Write the record of the new set, then swap it in, the delaftale's folders in
    data/processed/<år>/ and reports/<år>/ each as one unit (runs.publish): files whose content
    is unchanged stay (the same files); files of the old set that the new one lacks go; an
    export zip made from the old set goes too (it no longer matches); anything else in the
    folders stays."""
    staged = sorted(p for p in build.staging.rglob("*")
                    if p.is_file() and p.parts[len(build.staging.parts)] in
                    ("processed", "notebooks", "rapport"))
    outputs: dict[str, dict[str, str]] = {p.stage.id: {} for p in plans}
    new: list[tuple[Path, Path]] = []
    keep: set[Path] = set()
    for path in staged:
        rel = path.relative_to(build.staging).as_posix()
        owner = _owner(all_stages, rel)
        digest = freshness.digest_file(path)
        if owner is not None:
            outputs[owner.id][rel] = digest
        target = published_path(build, rel)
        keep.add(target)
        if freshness.digest_file(target) != digest:
            new.append((path, target))
    record = {"aar": build.year, "delaftale": build.delaftale, "kontrol": check,
              "opbygning": info,
              "trin": {p.stage.id: {"noegle": p.key, "inddata": p.inputs,
                                    "uddata": outputs[p.stage.id]} for p in plans}}
    freshness.write_record(build.processed, record)
    record_file = build.processed / freshness.RECORD
    keep.add(build.processed_target / freshness.RECORD)
    remove = [p for p in _old_set(build, recorded) if p not in keep]
    # The export zip holds the PDF, the notebooks and what data/processed/<år>/ says: a change
    # to any of them (not to the HTML alone) makes it stale, and it goes with the old set.
    changed = [d for _, d in new] + remove
    stale = [] if not any(_in_export(build, d) for d in changed) else sorted(
        p for p in build.report_target.glob("*.zip") if p.is_file())
    record_target = build.processed_target / freshness.RECORD
    if freshness.digest_file(record_target) != freshness.digest_file(record_file):
        new.append((record_file, record_target))
    if new or remove:
        runs.publish(build.root, build.staging, new, remove + stale, log=build.log,
                     folders=[build.processed_target, build.report_target])
        for z in stale:
            build.log(f"Den gamle eksport {z.relative_to(build.root).as_posix()} passede ikke "
                      "længere til rapporten og er fjernet. Lav en ny med 'make eksport'.")


def _in_export(build: Build, path: Path) -> bool:
    if path.is_relative_to(build.processed_target):
        return path.name != freshness.RECORD
    return (path == build.report_target / "statusrapport.pdf"
            or path.is_relative_to(build.report_target / NOTEBOOK_FOLDER))


def _old_set(build: Build, recorded: dict) -> list[Path]:
    """The files of the published set now: all of data/processed/<år>/ and the notebooks
    folder, the report files, and whatever the record lists."""
    out = {p for p in build.processed_target.rglob("*") if p.is_file()}
    out |= {p for p in (build.report_target / NOTEBOOK_FOLDER).rglob("*") if p.is_file()}
    out |= {p for p in build.report_target.glob("statusrapport.*") if p.is_file()}
    for stage in (recorded.get("trin") or {}).values():
        out |= {published_path(build, rel) for rel in stage.get("uddata") or {}}
    return sorted(out)
