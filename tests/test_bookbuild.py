"""The book build's navigation: a large book's table of contents groups area pages by region."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from jsnalib.build import bookbuild
from jsnalib.build.pipeline import slugify
from jsnalib.inputs.readers import load_geography

REPO = Path(__file__).resolve().parents[1]

TOC = {"format": "jb-book", "root": "book/intro", "parts": [
    {"caption": "Areas", "chapters": [
        {"file": "book/profiles", "sections": [
            {"file": "book/generated/outcomes_summary"},
            {"glob": "book/generated/profile_*"}]},
        {"file": "book/references"}]}]}
AREA_REGION = {"aa": "Region A", "ab": "Region A", "ba": "Region <b>B</b>", "ca": "Region C"}


def _sections(toc: dict) -> list[dict]:
    return toc["parts"][0]["chapters"][0]["sections"]


def test_area_pages_grouped_by_region_in_region_order() -> None:
    pages = ["outcomes_summary", "profile_ab", "profile_aa", "profile_ba", "profile_zz",
             "obesity_aa"]
    toc, region_pages = bookbuild.regional_toc(
        TOC, pages, AREA_REGION, ["Region <b>B</b>", "Region A"], {"book/profiles": "Profiles"})
    sections = _sections(toc)
    assert sections[0] == {"file": "book/generated/outcomes_summary"}
    assert [s.get("title") for s in sections[1:]] == ["Region <b>B</b>", "Region A", None]
    assert sections[2]["sections"] == [{"file": "book/generated/profile_aa"},
                                       {"file": "book/generated/profile_ab"}]
    assert sections[1]["file"] == "book/generated/regions/profile_region-b-b-b"
    # a page whose name holds no known area is kept, after the regions
    assert sections[3] == {"file": "book/generated/profile_zz"}
    assert set(region_pages) == {"book/generated/regions/profile_region-b-b-b",
                                 "book/generated/regions/profile_region-a"}
    page = region_pages["book/generated/regions/profile_region-a"]
    assert page.startswith("# Profiles: Region A\n") and "The 2 pages" in page
    assert "```{tableofcontents}" in page
    # the region's name comes from data: escaped, never HTML
    assert "<b>" not in region_pages["book/generated/regions/profile_region-b-b-b"]
    # everything else is as written, and the input is not changed
    assert toc["parts"][0]["chapters"][1] == {"file": "book/references"}
    assert _sections(TOC)[1] == {"glob": "book/generated/profile_*"}


def test_pages_of_one_region_keep_the_glob() -> None:
    toc, region_pages = bookbuild.regional_toc(TOC, ["profile_aa", "profile_ab"], AREA_REGION,
                                               [], {})
    assert toc == TOC and region_pages == {}


def _project(tmp_path: Path, pages: int) -> Path:
    for name in ("areas.csv", "neighbours.csv"):
        (tmp_path / "data").mkdir(exist_ok=True)
        shutil.copy(REPO / "data" / name, tmp_path / "data" / name)
    shutil.copy(REPO / "_toc.yml", tmp_path / "_toc.yml")
    shutil.copytree(REPO / "book", tmp_path / "book", ignore=shutil.ignore_patterns("generated"))
    geography = load_geography(tmp_path / "data")
    areas = [c for c in geography.codes if geography.area_type(c) in ("unitary", "county")]
    generated = tmp_path / "book" / "generated"
    generated.mkdir()
    for code in areas[:pages]:
        (generated / f"profile_{slugify(geography.name(code))}.ipynb").write_text("{}")
    return tmp_path


def test_small_book_keeps_toc_and_full_sidebar(tmp_path: Path) -> None:
    root = _project(tmp_path, bookbuild.FULL_NAVIGATION_PAGES)
    mode, toc = bookbuild.prepare_navigation(root, tmp_path / "out")
    assert (mode, toc) == ("full", root / "_toc.yml")
    assert not (root / bookbuild.REGIONS).exists()


def test_large_book_is_built_from_a_regional_toc(tmp_path: Path) -> None:
    root = _project(tmp_path, bookbuild.FULL_NAVIGATION_PAGES + 1)
    geography = load_geography(root / "data")
    mode, toc_path = bookbuild.prepare_navigation(root, tmp_path / "out")
    assert mode == "regions" and toc_path == tmp_path / "out" / "_toc.yml"
    toc = yaml.safe_load(toc_path.read_text())
    profiles = next(c for p in toc["parts"] for c in p["chapters"] if c["file"] == "book/profiles")
    groups = [s for s in profiles["sections"] if "sections" in s]
    assert len(groups) >= 2
    for group in groups:  # every page sits under its own area's region
        for entry in group["sections"]:
            slug = entry["file"].removeprefix("book/generated/profile_")
            code = next(c for c in geography.codes if slugify(geography.name(c)) == slug)
            assert geography.name(geography.region(code)) == group["title"]
        assert (root / f"{group['file']}.md").is_file()
    pages = sum(len(g["sections"]) for g in groups)
    assert pages == bookbuild.FULL_NAVIGATION_PAGES + 1
    # a region page no longer needed is deleted; an unchanged one is not rewritten
    kept = root / f"{groups[0]['file']}.md"
    stale = root / bookbuild.REGIONS / "profile_nowhere.md"
    stale.write_text("# Nowhere\n")
    before = kept.stat().st_mtime_ns
    bookbuild.prepare_navigation(root, tmp_path / "out")
    assert not stale.exists() and kept.stat().st_mtime_ns == before
    # back to a small book: the region pages go
    for page in sorted((root / "book" / "generated").glob("*.ipynb"))[:2]:
        page.unlink()
    assert bookbuild.prepare_navigation(root, tmp_path / "out")[0] == "full"
    assert not (root / bookbuild.REGIONS).exists()


@pytest.mark.parametrize("navigation", ["full", "collapsed", "regions"])
def test_navigation_asked_for_is_used(tmp_path: Path, navigation: str) -> None:
    root = _project(tmp_path, 3)
    assert bookbuild.navigation_mode(root, navigation) == navigation
