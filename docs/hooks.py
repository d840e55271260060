"""mkdocs hook (mkdocs.yml: ``hooks``): adds the pages that :mod:`ganzoo.site` generates from
``checkpoints/``, ``README.md`` and the techniques' code -- the gallery, the model cards and sample
grids, one page per technique, the getting-started page -- and lists the techniques in the nav.
Nothing generated is written into ``docs/``."""

from pathlib import Path

from mkdocs.structure.files import File, InclusionLevel


def on_files(files, config):
    from ganzoo import site

    repo = Path(config.config_file_path).resolve().parent
    generated = site.pages(repo / "checkpoints", floors=repo / "docs" / "floors.json",
                           readme=repo / "README.md")
    for uri, content in generated.items():
        if files.get_file_from_path(uri) is not None:
            raise ValueError(f"docs/{uri} would hide the generated page {uri}: remove it")
        if isinstance(content, Path):
            files.append(File.generated(config, uri, abs_src_path=str(content),
                                        inclusion=InclusionLevel.INCLUDED))
        else:
            files.append(File.generated(config, uri, content=content,
                                        inclusion=InclusionLevel.INCLUDED))
    for item in config.nav or ():
        if isinstance(item, dict) and "Techniques" in item:
            item["Techniques"] = site.technique_nav()
    return files
