#!/usr/bin/env python3
"""Write the seed corpora of common/fuzz (fuzz_json, fuzz_decimal): hand-picked valid and invalid
inputs covering each rule of common/json.h and common/decimal.h. Run from anywhere; rewrites
corpus_json/ and corpus_decimal/ next to this file (new fuzzer finds go to a scratch dir, see
scripts/fuzz.sh)."""
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))


def write(dirname, seeds):
    d = os.path.join(HERE, dirname)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for name, data in seeds.items():
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogatepass")
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


JSON = {
    "null": "null",
    "true-false": "[true,false,null]",
    "numbers": "[0,-0,1,-1,1.5,-2.25e-3,1E+2,1e400,123456789012345678901234567890123456789012345678901234567890]",
    "number-top": " 42 ",
    "string-escapes": r'"a\"b\\c\/d\b\f\n\r\t\u00e9\u0000z"',
    "string-surrogates": r'["\ud83d\ude00","\u20ac","\uFFFF"]',
    "string-utf8": '"h\u00e9llo \u20ac \U0001F600"',
    "string-nul": '"a\\u0000b\\u0000"',
    "object": '{"a":1,"b":[1,2,{"c":"d"}],"e":{},"f":[]}',
    "object-dup": '{"k":1,"k":2,"k":{"k":3}}',
    "object-empty-key": '{"":"","\\u0000":0}',
    "whitespace": ' \t\r\n{ "a" : [ 1 , 2 ] }\n ',
    "nested-150": "[" * 150 + "]" * 150,
    "nested-201": "[" * 201 + "]" * 201,
    "nested-objects": '{"a":' * 60 + "1" + "}" * 60,
    "item-like": '{"TableName":"t","Item":{"pk":{"S":"x"},"n":{"N":"1.50"},"b":{"B":"AAE="},'
    '"l":{"L":[{"NULL":true},{"BOOL":false}]},"m":{"M":{"ss":{"SS":["a","b"]}}}}}',
    "bad-trailing-comma": "[1,2,]",
    "bad-leading-zero": "[01]",
    "bad-lone-surrogate": r'"\ud800"',
    "bad-low-surrogate": r'"\udc00x"',
    "bad-escape": r'"\x"',
    "bad-control": '"a\x01b"',
    "bad-utf8": b'"\xc3\x28"',
    "bad-utf8-overlong": b'"\xc0\xaf"',
    "bad-utf8-truncated": b'"\xe2\x82"',
    "bad-nan": "[NaN,Infinity]",
    "bad-two-values": "1 2",
    "bad-unterminated": '{"a":"b',
    "bad-number-dot": "[1.]",
    "bad-number-exp": "[1e]",
    "bad-single-quote": "['a']",
    "bad-comment": "[1 /* c */]",
    "empty": "",
}

DECIMAL = {
    "small": "1,2",
    "fractions": "0.1,0.2",
    "zeros": "-0,0.000e5",
    "signs": "+1,-1",
    "dot-forms": ".5,1.",
    "leading-trailing-zeros": "00012.3400e-2,0",
    "max": "9.9999999999999999999999999999999999999E+125,1",
    "max-both": "9.9999999999999999999999999999999999999E+125,9.9999999999999999999999999999999999999E+125",
    "min": "1E-130,1E-130",
    "min-neg": "-1E-130,1E-130",
    "38-digits": "12345678901234567890123456789012345678,1",
    "39-digits": "123456789012345678901234567890123456789,1",
    "precision-sum": "1e125,1e-129",
    "precision-carry": "99999999999999999999999999999999999999,1",
    "overflow": "1e126,1",
    "underflow": "1e-131,1",
    "huge-exp": "1e99999999999999999999999,-1e-99999999999999999999",
    "neg-mixed": "-123.456,78.9",
    "cancel": "1.000000000000000000000000000000000001,-1",
    "syntax": "Infinity,NaN",
    "syntax-2": "1e,.",
    "syntax-3": "0x10, 1",
    "no-comma": "3.14159",
    "int64": "\x00\x00\x00\x00\x00\x00\x00\x80",
    "empty": ",",
}

if __name__ == "__main__":
    write("corpus_json", JSON)
    write("corpus_decimal", DECIMAL)
