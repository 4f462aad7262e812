"""Checks an ECR request against botocore's ECR service model.

Real ECR refuses a request whose input breaks its model (a required member
missing, a string too long, a value outside an enum, a list over its maximum,
a pattern not matched) before it acts, with HTTP 400 and:

    {"__type": "InvalidParameterException",
     "message": "Invalid parameter at 'repositoryName' failed to satisfy
                 constraint: '...'"}

(the shape of that message is ECR's own, e.g. "Invalid parameter at
'repositoryName' failed to satisfy constraint: 'must satisfy regular
expression ...'" in crossplane-contrib/provider-upjet-aws issue 1179 and
int128/create-ecr-repository-action issue 231). moto checks almost none of
this, so a client could send what ECR refuses and never find out.

`violation(operation, params)` walks the operation's input shape from the
installed botocore (the same model the AWS SDKs are generated from) and
returns the first violation, naming the member by its path: top-level members
by name, structure members joined with '.', list items as 'name.N.member'
(1-based, as AWS's validation messages do), map values as 'name.KEY'. The
constraint wording follows AWS's validation messages ("Member must not be
null", "Member must have length less than or equal to 256", "Member must
satisfy enum value set: [...]", "Member must satisfy regular expression
pattern: ...").

Not modelled: real ECR answers a member of the wrong JSON type with a
SerializationException before validation; here it is a violation like any
other (no typed SDK can send one). Unknown members are ignored, as AWS's JSON
services do.
"""
import base64
import binascii
import re

import botocore.session

MODEL = botocore.session.get_session().get_service_model("ecr")
TARGET_PREFIX = MODEL.metadata["targetPrefix"] + "."


class Violation(Exception):
    """One broken constraint, answered the way ECR answers it."""

    def __init__(self, code, path, constraint):
        super().__init__(f"{code}: {path}: {constraint}")
        self.code = code
        self.path = path
        self.constraint = constraint

    def body(self):
        return {
            "__type": self.code,
            "message": f"Invalid parameter at '{self.path}' failed to satisfy constraint: '{self.constraint}'",
        }


def operations():
    return set(MODEL.operation_names)


def error_code(operation):
    """InvalidParameterException, unless the model lists only ValidationException."""
    errors = {shape.name for shape in MODEL.operation_model(operation).error_shapes}
    if "ValidationException" in errors and "InvalidParameterException" not in errors:
        return "ValidationException"
    return "InvalidParameterException"


def violation(operation, params):
    """The first constraint `params` breaks for `operation`, or None."""
    shape = MODEL.operation_model(operation).input_shape
    if shape is None:
        return None
    found = _check(shape, params, "")
    if found is None:
        return None
    path, constraint = found
    return Violation(error_code(operation), path or "input", constraint)


def pattern_of(shape_name):
    return MODEL.shape_for(shape_name).metadata["pattern"]


def _join(path, name):
    return f"{path}.{name}" if path else name


def _check(shape, value, path):
    kind = shape.type_name
    check = _CHECKS.get(kind)
    if check is None:
        return None
    return check(shape, value, path)


def _structure(shape, value, path):
    if not isinstance(value, dict):
        return path, "Member must be a structure"
    for name in shape.required_members:
        if value.get(name) is None:
            return _join(path, name), "Member must not be null"
    for name, member in shape.members.items():
        if value.get(name) is not None:
            found = _check(member, value[name], _join(path, name))
            if found:
                return found
    return None


def _list(shape, value, path):
    if not isinstance(value, list):
        return path, "Member must be a list"
    found = _length(shape, len(value), path)
    if found:
        return found
    for i, item in enumerate(value, 1):
        item_path = f"{path}.{i}.member"
        if item is None:
            return item_path, "Member must not be null"
        found = _check(shape.member, item, item_path)
        if found:
            return found
    return None


def _map(shape, value, path):
    if not isinstance(value, dict):
        return path, "Member must be a map"
    found = _length(shape, len(value), path)
    if found:
        return found
    for key, item in value.items():
        found = _check(shape.key, key, f"{path}.{key}") or _check(shape.value, item, f"{path}.{key}")
        if found:
            return found
    return None


def _string(shape, value, path):
    if not isinstance(value, str):
        return path, "Member must be a string"
    meta = shape.metadata
    found = _length(shape, len(value), path)
    if found:
        return found
    if "pattern" in meta and not _full_match(meta["pattern"], value):
        return path, f"Member must satisfy regular expression pattern: {meta['pattern']}"
    if shape.enum and value not in shape.enum:
        return path, f"Member must satisfy enum value set: [{', '.join(shape.enum)}]"
    return None


def _number(shape, value, path):
    integral = shape.type_name in ("integer", "long")
    if isinstance(value, bool) or not isinstance(value, int if integral else (int, float)):
        return path, f"Member must be a{'n' if shape.type_name == 'integer' else ''} {shape.type_name}"
    meta = shape.metadata
    if "min" in meta and value < meta["min"]:
        return path, f"Member must have value greater than or equal to {meta['min']}"
    if "max" in meta and value > meta["max"]:
        return path, f"Member must have value less than or equal to {meta['max']}"
    return None


def _boolean(shape, value, path):
    if not isinstance(value, bool):
        return path, "Member must be a boolean"
    return None


def _timestamp(shape, value, path):
    # The JSON protocol sends epoch seconds; ISO 8601 strings are accepted too.
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return path, "Member must be a timestamp"
    return None


def _blob(shape, value, path):
    if not isinstance(value, str):
        return path, "Member must be a blob (base64 string)"
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return path, "Member must be a blob (base64 string)"
    return _length(shape, len(data), path)


def _length(shape, length, path):
    meta = shape.metadata
    if "min" in meta and length < meta["min"]:
        return path, f"Member must have length greater than or equal to {meta['min']}"
    if "max" in meta and length > meta["max"]:
        return path, f"Member must have length less than or equal to {meta['max']}"
    return None


_PATTERNS = {}


def _full_match(pattern, value):
    # AWS's patterns are Java regular expressions matched against the whole
    # value; re.ASCII keeps \w and \d to ASCII, as in Java.
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        compiled = _PATTERNS[pattern] = re.compile(pattern, re.ASCII)
    return compiled.fullmatch(value) is not None


_CHECKS = {
    "structure": _structure,
    "list": _list,
    "map": _map,
    "string": _string,
    "integer": _number,
    "long": _number,
    "float": _number,
    "double": _number,
    "boolean": _boolean,
    "timestamp": _timestamp,
    "blob": _blob,
}
