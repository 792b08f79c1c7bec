#!/usr/bin/env python3
"""Extract the stream heads of one TCP connection from a capture.

Usage: heads.py CAPTURE STREAM OUT

Runs tshark's "follow,tcp,raw" on tcp.stream STREAM and writes OUT as text:
a comment naming the origin, then one line per segment, "client HEX" or
"server HEX", each direction cut at 16 KiB as Ward's stream heads are.
dissecttest.Heads reads the result; the http and tls tests keep theirs in
their testdata.
"""
import subprocess
import sys

LIMIT = 16384


def main():
    capture, stream, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    text = subprocess.run(
        ["tshark", "-r", capture, "-q", "-z", "follow,tcp,raw,%d" % stream],
        check=True, capture_output=True, text=True).stdout
    body = text.split("=" * 67)[1].splitlines()
    used = {"client": 0, "server": 0}
    lines = ["# %s tcp.stream %d" % (capture, stream)]
    for line in body:
        if not line.strip() or line.startswith(("Follow:", "Filter:", "Node ")):
            continue
        side = "server" if line.startswith("\t") else "client"
        data = bytes.fromhex(line.strip())
        room = LIMIT - used[side]
        if room <= 0:
            continue
        data = data[:room]
        used[side] += len(data)
        lines.append("%s %s" % (side, data.hex()))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
