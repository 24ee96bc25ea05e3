/**
 * A tiny safetensors reader/writer in Python (the format of src/train/safetensors.ts), emitted into
 * the generated PyTorch programs: Debian has no package for the `safetensors` library, and the
 * programs must run with python3-torch alone.
 */

/** Python source defining `save_file(tensors, path, metadata=None)` and `load_file(path) -> (tensors, metadata)`. */
export const SAFETENSORS_PY = `"""safetensors (https://github.com/huggingface/safetensors): u64 LE header length, JSON header, raw LE tensors.
Written by sdekit; reads and writes F32, F64, I32, I64, U8. save_file is atomic (temporary file, fsync, rename)."""
import json, os, struct, sys, zlib
import torch

_DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64, "U8": torch.uint8}
_NAMES = {v: k for k, v in _DTYPES.items()}


def _bytes(t):
    t = t.detach().contiguous().cpu()
    if sys.byteorder != "little":
        raise RuntimeError("safetensors: big-endian hosts are not supported")
    return t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""


def encode(tensors, metadata=None, crc=False):
    """bytes of a safetensors file holding the named tensors (in the order given); crc: add the
    CRC-32 of the tensor bytes to the metadata as "crc32" (sdekit checkpoints)."""
    header, blobs, offset = {}, [], 0
    metadata = {str(k): str(v) for k, v in (metadata or {}).items()}
    header["__metadata__"] = metadata
    for name, t in tensors.items():
        if t.dtype not in _NAMES:
            raise TypeError(f"safetensors: {name} has dtype {t.dtype}")
        b = _bytes(t)
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    if crc:
        c = 0
        for b in blobs:
            c = zlib.crc32(b, c)
        metadata["crc32"] = str(c)
    if not metadata:
        del header["__metadata__"]
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def decode(buf, where="safetensors file"):
    """(tensors, metadata) of safetensors bytes."""
    if len(buf) < 10:
        raise ValueError(f"{where}: not a safetensors file")
    (n,) = struct.unpack("<Q", buf[:8])
    if n + 8 > len(buf):
        raise ValueError(f"{where}: truncated header")
    header = json.loads(buf[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {}) or {}
    out, start, end = {}, 8 + n, 0
    for name, e in header.items():
        dt = _DTYPES[e["dtype"]]
        b, f = e["data_offsets"]
        if start + f > len(buf):
            raise ValueError(f"{where}: size mismatch ({name} ends past the end of the file)")
        raw = bytearray(buf[start + b:start + f])
        t = torch.frombuffer(raw, dtype=dt) if raw else torch.empty(0, dtype=dt)
        out[name] = t.reshape(e["shape"]).clone()
        end = max(end, f)
    if start + end != len(buf):
        raise ValueError(f"{where}: size mismatch (expected {start + end} bytes, found {len(buf)})")
    return out, metadata


def write_atomic(path, data):
    """write bytes to path atomically: temporary file in the same folder, fsync, rename, fsync the folder."""
    d = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(d, "." + os.path.basename(path) + ".tmp-" + str(os.getpid()))
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    try:
        fd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def save_file(tensors, path, metadata=None, crc=False):
    write_atomic(path, encode(tensors, metadata, crc))


def load_file(path):
    with open(path, "rb") as fh:
        return decode(fh.read(), path)
`;
