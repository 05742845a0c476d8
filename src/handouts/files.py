"""Writing files whole or not at all."""

import os
import tempfile
from pathlib import Path

from .errors import HandoutError


def write_atomically(output, data, mode=None):
    """Write `data` to `output` through a temporary file in the same folder, so that a reader (or an
    interrupted build) never sees half a file. mode: the file's permissions (default: the usual, by umask)."""
    output = Path(output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=output.parent, prefix=f".{output.name}.", delete=False) as handle:
            handle.write(data)
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask  # a temporary file is private (0600); a published PDF is not
        os.chmod(handle.name, mode)
        os.replace(handle.name, output)
    except OSError as error:
        reason = (
            f"{output.parent} is a file, not a folder"
            if output.parent.is_file()
            else f"{error.strerror} ({error.filename or output})"
        )
        raise HandoutError(
            f"cannot write {output}: {reason}. Choose a folder you can write to, or fix its "
            "permissions (or free some disk space)."
        ) from None
