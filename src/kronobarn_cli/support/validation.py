"""Swedish one-line descriptions of pydantic validation errors, for checklist and case files."""

from collections.abc import Sequence

from pydantic_core import ErrorDetails


def loc_to_str(loc: Sequence[str | int]) -> str:
    """`("steps", 2, "prompt")` → `steps[2].prompt`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def swedish_message(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    loc = error["loc"]
    last = loc[-1] if loc else ""
    messages = {
        "missing": f"'{last}' saknas",
        "extra_forbidden": f"okänd nyckel '{last}'",
        "string_too_short": "texten får inte vara tom",
        "string_too_long": f"texten är för lång (högst {ctx.get('max_length')} tecken)",
        "string_pattern_mismatch": "ogiltigt id: använd a–z, 0–9 och bindestreck",
        "literal_error": f"ogiltigt värde, tillåtna värden: {ctx.get('expected')}",
        "enum": f"ogiltigt värde, tillåtna värden: {ctx.get('expected')}",
        "bool_type": "ska vara true eller false",
        "bool_parsing": "ska vara true eller false",
        "int_type": "ska vara ett heltal",
        "int_parsing": "ska vara ett heltal",
        "int_from_float": "ska vara ett heltal",
        "string_type": "ska vara text",
        "list_type": "ska vara en lista",
        "dict_type": "ska vara en mappning (nyckel: värde)",
        "model_type": "ska vara en mappning (nyckel: värde)",
        "model_attributes_type": "ska vara en mappning (nyckel: värde)",
        "too_short": f"ska ha minst {ctx.get('min_length')} element",
        "greater_than_equal": f"ska vara minst {ctx.get('ge')}",
        "less_than_equal": f"får vara högst {ctx.get('le')}",
        "date_type": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
        "date_parsing": "ogiltigt datum, skriv ÅÅÅÅ-MM-DD",
        "date_from_datetime_parsing": "ogiltigt datum, skriv ÅÅÅÅ-MM-DD",
        "datetime_type": "ska vara en tidpunkt (ÅÅÅÅ-MM-DDTHH:MM:SS)",
        "datetime_parsing": "ogiltig tidpunkt",
        "datetime_from_date_parsing": "ogiltig tidpunkt",
    }
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return messages.get(kind, f"ogiltigt värde ({kind})")


def describe(error: ErrorDetails) -> str:
    """One line naming the field and what is wrong with it."""
    where = loc_to_str([p for p in error["loc"] if isinstance(p, str | int)])
    message = swedish_message(error)
    return f"{where}: {message}" if where else message
