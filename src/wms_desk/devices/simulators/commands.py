"""The simulated scale's command language, apart so `wms-desk --help` stays quick to load."""

from __future__ import annotations

COMMAND_HELP = """\
weight N [g|kg|lb|oz]   put N on the platter (unit defaults to the display unit)
unit g|kg|lb|oz [DEC]   display unit and decimals
motion on|off           the weight is settling (on) or settled (off)
overload | underload    out of range, above or below
normal                  back in range and settled
zero | tare             as if pressed on the scale's keypad
garbage                 send a line of printable junk now
nonascii                send bytes >= 0x80 now, and one in the next frame's digits
truncate                cut the next frame or answer in half
badsum                  the next frame has a wrong checksum (toledo) or a mangled digit
parity on|off           set bit 7 as even parity (a 7E1 scale read as 8N1)
silent on|off           stop answering (the client should say offline after 2 s)
rate HZ                 frames per second for streaming protocols
sleep S                 wait (in scripts)
quit                    stop the simulator"""
