"""Print, as JSON, broken and sound JSON texts with what ledger.canonical says of them.

tests/web/core.test.js runs this and holds api/web/js/03-canonical*.js to the
same values and the same messages, word for word: orjson's reason and
position, the duplicate-key refusal, and loads_canonical's verdicts. The texts
are written out by hand for each rule, and also made by cutting sound texts
short at every position and by changing one character of them. (Nesting
between about 960 and 1024 levels is left out: there the Python's verdict
depends on the depth of its own call stack.)
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from cunzheng.ledger.canonical import loads, loads_canonical
from cunzheng.ledger.errors import MalformedInput

SOUND = [
    b'{"a":[1,-2.5e-3,true,false,null],"b":{"c":"\\u00e9\\ud83d\\ude00\\n"},"d":"\xc3\xa9"}',
    b'[ 0 , -0 , 12345678901234567890 , 1E+2 , "x\\"y\\\\z\\/" ]',
    b'{"k":"v","n":{"m":[[],{}]},"t":true}',
]

WRITTEN = [
    b"",
    b" ",
    b"\n\n",
    b"\xef\xbb\xbf{}",
    b"\xef\xbb",
    b"\xff",
    b'"ab\xc3"',
    b"not json",
    b"x",
    b"nulL",
    b"[nux]",
    b"[tr",
    b"fx",
    b"f",
    b"truex",
    b"[-]",
    b"-",
    b"+1",
    b".5",
    b"[00]",
    b"[-01]",
    b"[1.e5]",
    b"1.",
    b"[1e]",
    b"[1e+]",
    b"0.0e",
    b"[1e400]",
    b"[-1e400]",
    b"[1" + b"0" * 400 + b"]",
    b"[18446744073709551616]",
    b"[-9223372036854775809]",
    b"[9007199254740993]",
    b"[1,]",
    b"[1 ,]",
    b'{"a":1,}',
    b'{"a":1,\n}',
    b"[1,,2]",
    b"{,}",
    b'{"a" 1}',
    b'{"a":1,"b"}',
    b'{"a":}',
    b'{"a":1 "b":2}',
    b"[1}",
    b'{"a":1]',
    b"[] ]",
    b'"\\x"',
    b'"ab\\u12"',
    b'"ab\\u0g"',
    b'"ab\\u0',
    b'"ab\\udc00"',
    b'"ab\\ud800x"',
    b'"ab\\ud800\\u0041"',
    b'"ab\\ud800\\u00x1"',
    b'"ab\\ud800\\"',
    b'"ab\\ud800',
    b'"ab\\ud800\\',
    b'"ab\\ud800\\udc0',
    b'"ab\\ud800 ',
    b'"ab\x01"',
    b'"\t"',
    b'"\x7f"',
    b"\x0c1",
    b"[\x0c1]",
    b"[" * 1024 + b"]" * 1024,
    b"[" * 1025 + b"]" * 1025,
    b'{"a":' * 1025 + b"1" + b"}" * 1025,
    b'["\xf0\x9f\x98\x80", x]',
    b"\n\n  x",
    b"\r\n\r\nx",
    b'{"a":1,"a":2}',
    b'{"a":1,"a":{"b":1,"b":2}}',
    b'[{"a":1,"a":2},{"b":1,"b":2}]',
    b'{"it\'s":1,"it\'s":2}',
    b'{"\xc3\xa9":1,"\xc3\xa9":2}',
    b'{"a":1,"a":2',
    b'{"__proto__":1}',
    b'"\\u0000"',
]


def tagged(value: Any) -> Any:
    """Return *value* with floats and integers beyond 2^53 marked, so JavaScript reads them exactly."""
    if isinstance(value, float):
        return {"$float": value}
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > (1 << 53) - 1:
        return {"$int": str(value)}
    if isinstance(value, list):
        return [tagged(item) for item in value]
    if isinstance(value, dict):
        return {key: tagged(item) for key, item in value.items()}
    return value


def verdict(read: Callable[[bytes], Any], text: bytes) -> Any:
    try:
        value = read(text)
    except MalformedInput as e:
        return {"error": str(e)}
    return {"ok": tagged(value)}


def cases() -> list[bytes]:
    texts = list(WRITTEN)
    for sound in SOUND:
        texts += [sound[:n] for n in range(len(sound))]
        for n in range(len(sound)):
            for replacement in (b"", b"}", b",", b'"', b"\\", b"x", b"0", b" "):
                texts.append(sound[:n] + replacement + sound[n + 1 :])
    return list(dict.fromkeys(texts))


def main() -> None:
    out = []
    for text in cases():
        out.append(
            {
                "text": base64.b64encode(text).decode(),
                "loads": verdict(lambda t: loads(t, what="bundle"), text),
                "canonical": verdict(lambda t: loads_canonical(t, what="leaf"), text),
            }
        )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
