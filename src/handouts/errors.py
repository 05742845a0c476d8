"""The one kind of error the renderer raises."""


class HandoutError(Exception):
    """A problem a teacher can fix; the message names the file and what to do. The PDF was not written."""


PANGO_HINT = (
    "WeasyPrint needs the Pango libraries. Debian/Ubuntu: sudo apt-get install libpango-1.0-0 "
    "libpangoft2-1.0-0 libharfbuzz-subset0; macOS: brew install pango. Then run the command again."
)
