"""Canonical, process-independent description of Python values, for fingerprints.

:func:`canonical` turns a value into JSON-serialisable data that is equal for
equal values in any process (no object ids, no memory addresses), so that
:func:`digest` of it identifies the value: numbers, strings, containers,
numpy arrays (dtype, shape and a hash of the bytes), ``discretisedfield``
meshes and fields (geometry, subregions, values), ``micromagneticmodel``
systems and terms (class, name, every attribute), dataclasses, pulses (their
``repr``, which recreates them) and functions (qualified name, bytecode,
constants, defaults, closure values and the plain values of the globals they
read). A callable's behaviour that depends on anything else (a global object,
a file) is not seen: use the picklable pulses of
:mod:`ubermag_dirac.switching.pulses` for reproducible sweeps.

Examples
--------
>>> import numpy as np
>>> from ubermag_dirac.switching._canonical import canonical, digest
>>> canonical({"b": (1, 2.5), "a": np.float64(3.0)})
{'a': 3.0, 'b': [1, 2.5]}
>>> digest(lambda t: 2 * t) == digest(lambda t: 2 * t)
True
>>> digest(lambda t: 2 * t) == digest(lambda t: 3 * t)
False
"""

import dataclasses
import hashlib
import json
import math
import numbers
import types

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np

__all__ = ["canonical", "digest"]

_MAX_DEPTH = 12


def _array(a):
    a = np.ascontiguousarray(a)
    h = hashlib.sha256(a.tobytes()).hexdigest()
    return {"ndarray": str(a.dtype), "shape": list(a.shape), "sha256": h}


def _float(x):
    x = float(x)
    return x if math.isfinite(x) else repr(x)


def _mesh(mesh, depth):
    return {
        "mesh": _region(mesh.region),
        "n": [int(k) for k in mesh.n],
        "bc": str(mesh.bc),
        "subregions": {k: _region(r) for k, r in mesh.subregions.items()},
    }


def _region(region):
    return {
        "pmin": [_float(x) for x in region.pmin],
        "pmax": [_float(x) for x in region.pmax],
    }


def _field(f, depth):
    return {
        "field": _mesh(f.mesh, depth),
        "nvdim": int(f.nvdim),
        "values": _array(f.array),
        "valid": _array(np.asarray(f.valid)),
    }


def _term(term, depth):
    attrs = {k: canonical(v, depth + 1) for k, v in sorted(term.__dict__.items())}
    return {"term": _qualname(type(term)), "name": term.name, "attrs": attrs}


def _system(s, depth):
    return {
        "system": s.name,
        "T": canonical(s.T, depth + 1),
        "m": _field(s.m, depth) if s.m is not None else None,
        "energy": [_term(t, depth) for t in s.energy],
        "dynamics": [_term(t, depth) for t in s.dynamics],
    }


def _qualname(obj):
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', '?')}"


def _code(code, depth):
    consts = [
        _code(c, depth + 1) if isinstance(c, types.CodeType) else canonical(c, depth)
        for c in code.co_consts
    ]
    return {
        "bytecode": hashlib.sha256(code.co_code).hexdigest(),
        "consts": consts,
        "names": list(code.co_names),
    }


def _cell(cell, depth):
    try:
        return canonical(cell.cell_contents, depth + 1)
    except ValueError:  # an empty cell
        return {"cell": "empty"}


def _function(f, depth):
    plain = (numbers.Number, str, bytes, np.ndarray, tuple, list, dict)
    g = f.__globals__
    globals_read = {
        name: canonical(g[name], depth + 1)
        for name in f.__code__.co_names
        if name in g and isinstance(g[name], plain)
    }
    return {
        "function": _qualname(f),
        "code": _code(f.__code__, depth),
        "defaults": canonical(f.__defaults__, depth + 1),
        "kwdefaults": canonical(f.__kwdefaults__, depth + 1),
        "closure": [_cell(c, depth) for c in f.__closure__ or ()],
        "globals": globals_read,
    }


def _object(obj, depth):
    from .pulses import Pulse

    if isinstance(obj, Pulse):
        return {"pulse": repr(obj)}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = {
            f.name: canonical(getattr(obj, f.name), depth + 1)
            for f in dataclasses.fields(obj)
        }
        return {"dataclass": _qualname(type(obj)), "fields": fields}
    if isinstance(obj, types.FunctionType):
        return _function(obj, depth)
    if isinstance(obj, types.MethodType):
        return {
            "method": _function(obj.__func__, depth),
            "self": canonical(obj.__self__, depth + 1),
        }
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        state = {k: canonical(v, depth + 1) for k, v in sorted(vars(obj).items())}
        return {"object": _qualname(type(obj)), "state": state}
    if isinstance(obj, type | types.BuiltinFunctionType | types.ModuleType):
        return {"qualname": _qualname(obj)}
    return {"repr": repr(obj)}


def canonical(value, depth=0):
    """JSON-serialisable description of ``value``, equal for equal values."""
    if depth > _MAX_DEPTH:
        return {"type": _qualname(type(value))}
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return _float(value)
    if isinstance(value, numbers.Complex):
        return {"complex": [_float(value.real), _float(value.imag)]}
    if isinstance(value, bytes):
        return {"bytes": hashlib.sha256(value).hexdigest()}
    if isinstance(value, np.ndarray):
        return _array(value)
    if isinstance(value, list | tuple):
        return [canonical(v, depth + 1) for v in value]
    if isinstance(value, dict):
        items = sorted(((str(k), v) for k, v in value.items()), key=lambda kv: kv[0])
        return {k: canonical(v, depth + 1) for k, v in items}
    if isinstance(value, set | frozenset):
        return sorted((canonical(v, depth + 1) for v in value), key=json.dumps)
    if isinstance(value, df.Field):
        return _field(value, depth)
    if isinstance(value, df.Mesh):
        return _mesh(value, depth)
    if isinstance(value, df.Region):
        return _region(value)
    if isinstance(value, mm.System):
        return _system(value, depth)
    if isinstance(value, mm.abstract.Term):
        return _term(value, depth)
    return _object(value, depth)


def digest(value, length=16):
    """Hex SHA-256 (first ``length`` digits) of ``canonical(value)``."""
    text = json.dumps(canonical(value), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:length]
