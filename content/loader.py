"""Read an update file into a validated `Update`, or fail with one clear line."""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from pathlib import Path

import yaml
from frontmatter.default_handlers import YAMLHandler
from pydantic import BaseModel, ValidationError

from content.body_images import InlineImage, body_images, file_digest, local_path
from content.errors import UpdateError
from content.family import check_family, default_slug
from content.model import Update
from content.yaml_loader import load_yaml

_FIELD_PREFIX = re.compile(r"^([a-z_]+): (.*)$", re.S)
MAX_UPDATE_BYTES = 1_000_000
_INTERNAL_FIELDS = frozenset({"source", "body", "images"})


def load_update(path: Path | str, content_root: Path | str | None = None, model: type[Update] = Update) -> Update:
    """Load and validate one update; `content_root` bounds where its image may live; `model` is `Update` with the
    channels' front-matter blocks (`channels.registry.update_model()`)."""
    path = Path(path)
    text = _read_text(path).lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    handler = YAMLHandler()
    if not handler.detect(text):
        raise UpdateError(path, None, "no front matter: the file must start with a '---' line")
    try:
        front, body = handler.split(text)
    except ValueError:
        raise UpdateError(path, None, "the front matter has no closing '---' line") from None
    meta = _parse_front_matter(path, front, text[: text.find(front)].count("\n") + 1)
    internal = sorted(_INTERNAL_FIELDS & meta.keys())
    if internal:
        raise UpdateError(path, internal[0], "unknown field" + _did_you_mean(internal[:1], model))
    fields = {**meta, "source": path, "body": body}
    if "slug" not in meta and isinstance(meta.get("title"), str):
        fields["slug"] = default_slug(path, meta["title"])
    try:
        update = model.model_validate(fields)
    except ValidationError as error:
        raise _first_problem(path, error, model) from None
    root = Path(content_root) if content_root else path.parent
    _check_image(update, root)
    check_family(update)
    before_body = text[: len(text) - len(body.lstrip())]  # the model strips the body; its lines count from here
    images = _body_images(update, root, before_body.count("\n"))
    return update.model_copy(update={"images": images}) if images else update



def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UpdateError(path, None, "no such file") from None
    except IsADirectoryError:
        raise UpdateError(path, None, "is a folder, not an update file") from None
    except OSError as error:
        raise UpdateError(path, None, f"cannot be read ({error.strerror})") from None
    if len(data) > MAX_UPDATE_BYTES:
        raise UpdateError(path, None, f"is {len(data):,} bytes; updates are at most {MAX_UPDATE_BYTES:,}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UpdateError(path, None, f"is not UTF-8 text (bad byte at line {line}); save it as UTF-8") from None


def _parse_front_matter(path: Path, text: str, first_line: int = 1) -> dict:
    try:
        meta = load_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = f" at line {first_line + mark.line}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        if "could not determine a constructor" in str(error):
            problem = "YAML tags that construct objects are not allowed"
        elif "mapping values are not allowed" in problem and mark is not None:
            problem += _quote_hint(text.splitlines()[mark.line] if mark.line < len(text.splitlines()) else "")
        raise UpdateError(path, "front matter", f"invalid YAML{where}: {problem}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise UpdateError(path, "front matter", "must be a mapping of fields (key: value)")
    return meta


def _first_problem(path: Path, error: ValidationError, model: type[BaseModel]) -> UpdateError:
    problem = error.errors(include_url=False)[0]
    loc = [str(part) for part in problem["loc"]]
    kind = problem["type"]
    message = problem["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return UpdateError(path, ".".join(loc), "unknown field" + _did_you_mean(loc, model))
    if kind == "missing":
        return UpdateError(path, ".".join(loc), "is required")
    if not loc:
        named = _FIELD_PREFIX.match(message)
        if named:
            return UpdateError(path, named.group(1), named.group(2))
        return UpdateError(path, None, message)
    field = _field_name(loc)
    value = problem.get("input")
    if kind in {"date_from_datetime_parsing", "date_parsing", "date_type", "datetime_parsing",
                "datetime_type", "datetime_from_date_parsing", "date_from_datetime_inexact"}:
        return UpdateError(path, field, f"{value} is not a valid {'date' if field == 'date' else 'date and time'}")
    if kind in {"tuple_type", "list_type"} and not isinstance(value, dict):
        return UpdateError(path, field, f"must be a list, e.g. {_list_example(value)}")
    if kind == "literal_error":
        return UpdateError(path, field, f"{value!r} is not one of {problem['ctx']['expected']}")
    return UpdateError(path, field, message)


def _quote_hint(line: str) -> str:
    """The fix for an unquoted `: ` inside a value: the same line with the value in quotes."""
    key, _, value = line.partition(":")
    value = value.strip()
    if not key.strip() or not value:
        return ""
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f" (a value containing ': ' must be quoted, e.g. {key.strip()}: {quoted})"


def _list_example(value: object) -> str:
    """`[a, b]` from a comma-separated string, for a list field given as text."""
    items = [item.strip() for item in str(value).split(",") if item.strip()]
    return "[" + ", ".join(items or ["..."]) + "]"


def _field_name(loc: list[str]) -> str:
    """`tags.2` stays as is; pydantic's union/type markers are dropped."""
    return ".".join(part for part in loc if not part.startswith(("tuple[", "function-")))


def _did_you_mean(loc: list[str], model: type[BaseModel]) -> str:
    for part in loc[:-1]:
        annotation = model.model_fields[part].annotation
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return ""
        model = annotation
    known = [name for name in model.model_fields if name not in _INTERNAL_FIELDS]
    close = difflib.get_close_matches(loc[-1], known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else f" (known fields: {', '.join(known)})"


def _check_image(update: Update, content_root: Path) -> None:
    image = update.image_path
    if image is None:
        return
    if not image.is_relative_to(content_root.resolve()):
        raise UpdateError(update.source, "image", f"{update.image} is outside the content folder {content_root}")
    if not image.is_file():
        raise UpdateError(update.source, "image", f"{update.image} does not exist")


def _body_images(update: Update, content_root: Path, lines_before: int) -> tuple[InlineImage, ...]:
    """The body's local images, each checked to be a file under the content root, with its content hash."""
    root = content_root.resolve()
    found = []
    for image in body_images(update.body):
        if not image.is_local:
            continue
        image = replace(image, line=image.line + lines_before)  # the line in the file, not in the body
        where = f"image {image.src} (line {image.line})"
        if not image.src.strip():
            raise UpdateError(update.source, "body", f"an image at line {image.line} has no file name")
        path = local_path(image, update.source.parent, root)
        if not path.is_relative_to(root):
            raise UpdateError(update.source, "body", f"{where} is outside the content folder {content_root}")
        if not path.is_file():
            raise UpdateError(update.source, "body", f"{where} does not exist")
        found.append(InlineImage(image.src, path, image.alt, image.line, file_digest(path)))
    return tuple(found)
