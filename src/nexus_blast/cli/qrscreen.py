"""The pairing QR on screen: redrawn in place on a terminal (cursor up, erase below: no stacking),
once per change otherwise; refused with the size it needs when the terminal is too small (a cut
QR does not scan); written as a PNG with --png."""

from __future__ import annotations

import os
import shutil

from nexus_blast.cli.output import info
from nexus_blast.i18n import N_, _, os_reason

# translated where shown (a module-level _() would keep the language of the first import)
HOW = N_("WhatsApp › Settings › Linked devices › Link a device: scan this QR")
HINT = N_("not scanning? --invert, or --code 55… (link with the phone number), or --png FILE")


def _terminal_size(stream) -> tuple[int, int] | None:
    try:
        if not stream.isatty():
            return None
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, ValueError, OSError):
        return None
    fallback = shutil.get_terminal_size()
    return size.columns or fallback.columns, size.lines or fallback.lines


class QRScreen:
    def __init__(self, out, *, invert: bool = False, png=None) -> None:
        self.out = out
        self.invert = invert
        self.png = png
        self.size = _terminal_size(out)
        self.drawn = 0  # lines of the block now on screen (a terminal only)
        self.block: list[str] = []
        self.caption = ""
        self.how = ""  # the caption without the status

    @property
    def terminal(self) -> bool:
        return self.size is not None

    def show(self, value: str, shown: int) -> None:
        from nexus_blast.waha.pairing import qr_size, render_qr, save_png

        refreshed = _("refreshed, ") if shown > 1 else ""
        if self.png is not None:
            try:
                save_png(value, self.png)
            except OSError as exc:
                from nexus_blast.errors import InputError

                raise InputError(_("--png {png}: cannot write ({reason})").format(png=self.png, reason=os_reason(exc))) from None
        self.how = f"{_(HOW)} ({refreshed}#{shown})"
        self.caption = self.how
        if self.png is not None:
            self.caption += " " + _("or open {png}").format(png=self.png)
        columns, lines = qr_size(value)
        if self.terminal:
            self.size = _terminal_size(self.out) or self.size  # it may have been resized
            width, height = self.size
            need = lines + 3  # the QR, its caption, the hint, the cursor's line
            if columns > width or need > height:
                self.block = [_("the terminal is {w}x{h}; the QR needs {cw}x{ch}: enlarge it, or link with "
                                "--code 55… (the phone number) or --png FILE").format(w=width, h=height, cw=columns, ch=need)]
                if self.png is not None:
                    self.block = [_("the terminal is {w}x{h}, too small for the QR ({cw}x{ch}): open {png} "
                                    "({refreshed}#{n})").format(w=width, h=height, cw=columns, ch=need, png=self.png,
                                                               refreshed=refreshed, n=shown)]
                self.caption = ""
                self._draw()
                return
        self.block = render_qr(value, invert=self.invert, colors=self.terminal and not self.invert).split("\n")
        self._draw()

    def _draw(self) -> None:
        lines = self.block + ([self.caption, _(HINT)] if self.caption else [])
        if self.terminal:
            if self.drawn:
                self.out.write(f"\x1b[{self.drawn}A\r\x1b[J")  # back to the block's top, erase below
            self.out.write("\n".join(lines) + "\n")
            self.drawn = sum(max(1, -(-len(line) // self.size[0])) for line in lines)
            self.out.flush()
            return
        self.out.write("\n".join(self.block) + "\n")
        self.out.flush()
        if self.caption:
            info(self.caption)
            info(_(HINT))

    def status(self, status: str) -> None:
        """A status change: under the block on a terminal (redrawn with it), a line otherwise."""
        if self.terminal and self.drawn and self.caption:
            self.caption = self.how + _(" — status {status}").format(status=status)
            self._draw()
        elif not self.terminal or not self.drawn:
            info(_("status: {status}").format(status=status))
