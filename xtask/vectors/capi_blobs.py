#!/usr/bin/env python3
"""Independent generator and checker for Windows CryptoAPI key BLOB test vectors.

This is a second, independent implementation of the BLOB layouts in
``shared/spec/envelope.md`` ("CryptoAPI key BLOB interoperability"), written in
Python with the ``cryptography`` package only (plus the standard library). It
shares no code with the Rust implementation in ``dp-envelope``; the Rust tests
assert against the data it produced and may call its ``check-*`` subcommands on
BLOBs the Rust code produced.

Layouts (all integers little-endian):

    BLOBHEADER       bType u8 | bVersion u8 = 0x02 | reserved u16 = 0 | aiKeyAlg u32
    SIMPLEBLOB       BLOBHEADER{0x01, session ALG_ID} | u32 CALG_RSA_KEYX
                     | RSA ciphertext (modulus length), byte-reversed
    PUBLICKEYBLOB    BLOBHEADER{0x06, CALG_RSA_KEYX} | "RSA1" | bitlen u32 | pubexp u32
                     | modulus[bitlen/8]
    PRIVATEKEYBLOB   BLOBHEADER{0x07, CALG_RSA_KEYX} | "RSA2" | bitlen u32 | pubexp u32
                     | modulus[bitlen/8] | prime1, prime2, exponent1, exponent2,
                       coefficient [bitlen/16 each] | privateExponent[bitlen/8]
    PLAINTEXTKEYBLOB BLOBHEADER{0x08, ALG_ID} | u32 key length | key bytes
    message          IV (16 bytes) | AES-CBC-PKCS7(session key, IV, plaintext)

Usage (from the repository root):

    python3 xtask/vectors/capi_blobs.py generate [OUTDIR] [--force]
    python3 xtask/vectors/capi_blobs.py verify [DIR]
    python3 xtask/vectors/capi_blobs.py check-simpleblob KEY.pem BLOB [--pkcs1] --expect-hex HEX
    python3 xtask/vectors/capi_blobs.py check-publickeyblob PUB.pem BLOB
    python3 xtask/vectors/capi_blobs.py check-privatekeyblob KEY.pem BLOB
    python3 xtask/vectors/capi_blobs.py check-plaintextkeyblob BLOB --expect-hex HEX
    python3 xtask/vectors/capi_blobs.py decrypt-message KEY_HEX MESSAGE.bin

OUTDIR / DIR default to crates/dp-envelope/tests/data/capi. ``generate`` makes
fresh RSA keys (and fresh RSA padding randomness), so it refuses to overwrite an
existing data set unless ``--force`` is given; the committed data is generated
once. ``verify`` re-checks a data set against its vectors.json (round trips,
PEM -> BLOB -> PEM identity, rejection of every malformed file).

Exit status of the check-* and decrypt-message subcommands: 0 on success, 1 when
the BLOB is malformed or does not match (a one-line reason goes to stderr), 2 on
usage errors.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

import cryptography
from cryptography.hazmat.primitives import hashes, padding as sym_padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# --- constants -------------------------------------------------------------

BLOB_VERSION = 0x02

SIMPLEBLOB = 0x01
PUBLICKEYBLOB = 0x06
PRIVATEKEYBLOB = 0x07
PLAINTEXTKEYBLOB = 0x08

CALG_RSA_KEYX = 0x0000A400
CALG_RSA_SIGN = 0x00002400
CALG_AES_128 = 0x0000660E
CALG_AES_192 = 0x0000660F
CALG_AES_256 = 0x00006610

AES_ALGS = {CALG_AES_128: 16, CALG_AES_192: 24, CALG_AES_256: 32}  # ALG_ID -> key length
AES_ALG_BY_BITS = {128: CALG_AES_128, 192: CALG_AES_192, 256: CALG_AES_256}
ALG_NAMES = {
    CALG_RSA_KEYX: "CALG_RSA_KEYX",
    CALG_RSA_SIGN: "CALG_RSA_SIGN",
    CALG_AES_128: "CALG_AES_128",
    CALG_AES_192: "CALG_AES_192",
    CALG_AES_256: "CALG_AES_256",
}

MAGIC_RSA1 = 0x31415352  # bytes 52 53 41 31, "RSA1": public key
MAGIC_RSA2 = 0x32415352  # bytes 52 53 41 32, "RSA2": private key

HEADER = struct.Struct("<BBHI")  # BLOBHEADER
RSAPUBKEY = struct.Struct("<III")  # magic, bitlen, pubexp
U32 = struct.Struct("<I")

RSA_BITS = (2048, 3072, 4096)
SIMPLEBLOB_RSA_BITS = 2048
PUBLIC_EXPONENT = 65537
AES_IV_LEN = 16

# Fixed, recorded inputs: session keys are bytes 0x00, 0x01, ... of the right length.
MESSAGE_PLAINTEXT = "Manual session key exchange, the CryptoAPI way.\n".encode("utf-8")
MESSAGE_IV = bytes(range(0xA0, 0xA0 + AES_IV_LEN))

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "crates" / "dp-envelope" / "tests" / "data" / "capi"
PADDINGS = ("oaep", "pkcs1")


class BlobError(Exception):
    """A BLOB is malformed or does not match what was expected."""


# --- helpers ---------------------------------------------------------------


def session_key(bits: int) -> bytes:
    """The recorded session key for AES-{bits}: bytes 0x00, 0x01, ..."""
    return bytes(range(bits // 8))


def int_to_le(value: int, length: int) -> bytes:
    """Little-endian, zero-padded to exactly `length` bytes (error if it does not fit)."""
    if value < 0 or value.bit_length() > 8 * length:
        raise BlobError(f"integer of {value.bit_length()} bits does not fit a {length}-byte slot")
    return value.to_bytes(length, "little")


def le_to_int(data: bytes) -> int:
    return int.from_bytes(data, "little")


def modulus_len(key: rsa.RSAPublicKey | rsa.RSAPrivateKey) -> int:
    return (key.key_size + 7) // 8


def alg_name(alg: int) -> str:
    return ALG_NAMES.get(alg, f"0x{alg:08X}")


def rsa_padding(kind: str) -> asym_padding.AsymmetricPadding:
    """CryptoAPI's SIMPLEBLOB paddings: CRYPT_OAEP (SHA-1, MGF1-SHA-1, empty label) or PKCS#1 v1.5."""
    if kind == "oaep":
        return asym_padding.OAEP(mgf=asym_padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
    if kind == "pkcs1":
        return asym_padding.PKCS1v15()
    raise ValueError(f"unknown padding {kind!r}")


def load_private_pem(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise BlobError(f"{path}: not an RSA private key")
    return key


def load_public_pem(path: Path) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, rsa.RSAPublicKey):
        raise BlobError(f"{path}: not an RSA public key")
    return key


def private_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_pem(key: rsa.RSAPublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


# --- BLOBHEADER ------------------------------------------------------------


def build_header(btype: int, alg: int) -> bytes:
    return HEADER.pack(btype, BLOB_VERSION, 0, alg)


def parse_header(blob: bytes, btype: int) -> int:
    """Validate the BLOBHEADER (bType, bVersion, reserved); return aiKeyAlg."""
    if len(blob) < HEADER.size:
        raise BlobError(f"{len(blob)} bytes: shorter than the {HEADER.size}-byte BLOBHEADER")
    got_type, version, reserved, alg = HEADER.unpack_from(blob, 0)
    if got_type != btype:
        raise BlobError(f"bType 0x{got_type:02X}, expected 0x{btype:02X}")
    if version != BLOB_VERSION:
        raise BlobError(f"bVersion 0x{version:02X}, expected 0x{BLOB_VERSION:02X}")
    if reserved != 0:
        raise BlobError(f"reserved 0x{reserved:04X}, expected 0")
    return alg


# --- PUBLICKEYBLOB ---------------------------------------------------------


def build_publickeyblob(key: rsa.RSAPublicKey) -> bytes:
    numbers = key.public_numbers()
    bitlen = key.key_size
    return (
        build_header(PUBLICKEYBLOB, CALG_RSA_KEYX)
        + RSAPUBKEY.pack(MAGIC_RSA1, bitlen, numbers.e)
        + int_to_le(numbers.n, bitlen // 8)
    )


def parse_rsapubkey(blob: bytes, magic: int, slots_of_8: int, slots_of_16: int) -> tuple[int, int, int]:
    """Validate RSAPUBKEY and the total length; return (bitlen, pubexp, offset of the key data)."""
    offset = HEADER.size
    if len(blob) < offset + RSAPUBKEY.size:
        raise BlobError(f"{len(blob)} bytes: shorter than BLOBHEADER + RSAPUBKEY")
    got_magic, bitlen, pubexp = RSAPUBKEY.unpack_from(blob, offset)
    if got_magic != magic:
        raise BlobError(
            f"magic {got_magic.to_bytes(4, 'little')!r}, expected {magic.to_bytes(4, 'little')!r}"
        )
    granule = 16 if slots_of_16 else 8
    if bitlen == 0 or bitlen % granule:
        raise BlobError(f"bitlen {bitlen} is not a positive multiple of {granule}")
    offset += RSAPUBKEY.size
    expected = offset + slots_of_8 * (bitlen // 8) + slots_of_16 * (bitlen // 16)
    if len(blob) != expected:
        raise BlobError(f"{len(blob)} bytes, bitlen {bitlen} requires exactly {expected}")
    if pubexp < 3 or pubexp % 2 == 0:
        raise BlobError(f"public exponent {pubexp} is not an odd integer >= 3")
    return bitlen, pubexp, offset


def parse_publickeyblob(blob: bytes) -> rsa.RSAPublicNumbers:
    alg = parse_header(blob, PUBLICKEYBLOB)
    if alg != CALG_RSA_KEYX:
        raise BlobError(f"aiKeyAlg {alg_name(alg)}, expected CALG_RSA_KEYX")
    bitlen, pubexp, offset = parse_rsapubkey(blob, MAGIC_RSA1, slots_of_8=1, slots_of_16=0)
    n = le_to_int(blob[offset : offset + bitlen // 8])
    if n.bit_length() != bitlen:
        raise BlobError(f"modulus has {n.bit_length()} bits, bitlen says {bitlen}")
    return rsa.RSAPublicNumbers(pubexp, n)


# --- PRIVATEKEYBLOB --------------------------------------------------------


def build_privatekeyblob(key: rsa.RSAPrivateKey) -> bytes:
    priv = key.private_numbers()
    pub = priv.public_numbers
    bitlen = key.key_size
    if bitlen % 16:
        raise BlobError(f"bit length {bitlen} is not a multiple of 16")
    full, half = bitlen // 8, bitlen // 16
    return b"".join(
        [
            build_header(PRIVATEKEYBLOB, CALG_RSA_KEYX),
            RSAPUBKEY.pack(MAGIC_RSA2, bitlen, pub.e),
            int_to_le(pub.n, full),
            int_to_le(priv.p, half),  # prime1
            int_to_le(priv.q, half),  # prime2
            int_to_le(priv.dmp1, half),  # exponent1 = d mod (p-1)
            int_to_le(priv.dmq1, half),  # exponent2 = d mod (q-1)
            int_to_le(priv.iqmp, half),  # coefficient = q^-1 mod p
            int_to_le(priv.d, full),  # privateExponent
        ]
    )


def parse_privatekeyblob(blob: bytes) -> rsa.RSAPrivateNumbers:
    """Parse and check the internal consistency of every component."""
    alg = parse_header(blob, PRIVATEKEYBLOB)
    if alg != CALG_RSA_KEYX:
        raise BlobError(f"aiKeyAlg {alg_name(alg)}, expected CALG_RSA_KEYX")
    bitlen, e, offset = parse_rsapubkey(blob, MAGIC_RSA2, slots_of_8=2, slots_of_16=5)
    values = []
    for size in [bitlen // 8] + [bitlen // 16] * 5 + [bitlen // 8]:
        values.append(le_to_int(blob[offset : offset + size]))
        offset += size
    n, p, q, dmp1, dmq1, iqmp, d = values
    if n.bit_length() != bitlen:
        raise BlobError(f"modulus has {n.bit_length()} bits, bitlen says {bitlen}")
    if p < 2 or q < 2 or p * q != n:
        raise BlobError("prime1 * prime2 != modulus")
    if dmp1 != d % (p - 1) or dmq1 != d % (q - 1):
        raise BlobError("exponent1/exponent2 are not privateExponent mod (prime-1)")
    if (iqmp * q) % p != 1:
        raise BlobError("coefficient is not prime2^-1 mod prime1")
    if (e * dmp1) % (p - 1) != 1 or (e * dmq1) % (q - 1) != 1:
        raise BlobError("privateExponent is not an inverse of the public exponent")
    return rsa.RSAPrivateNumbers(p, q, d, dmp1, dmq1, iqmp, rsa.RSAPublicNumbers(e, n))


# --- SIMPLEBLOB ------------------------------------------------------------


def build_simpleblob(recipient: rsa.RSAPublicKey, key: bytes, alg: int, padding_kind: str) -> bytes:
    if AES_ALGS.get(alg) != len(key):
        raise BlobError(f"{len(key)}-byte key does not fit {alg_name(alg)}")
    ciphertext = recipient.encrypt(key, rsa_padding(padding_kind))  # big-endian, modulus length
    assert len(ciphertext) == modulus_len(recipient)
    return build_header(SIMPLEBLOB, alg) + U32.pack(CALG_RSA_KEYX) + ciphertext[::-1]


def parse_simpleblob(blob: bytes, k: int) -> tuple[int, bytes]:
    """Validate a SIMPLEBLOB for a k-byte modulus; return (session ALG_ID, big-endian ciphertext)."""
    alg = parse_header(blob, SIMPLEBLOB)
    if alg not in AES_ALGS:
        raise BlobError(f"session aiKeyAlg {alg_name(alg)} is not an AES ALG_ID")
    if len(blob) < HEADER.size + U32.size:
        raise BlobError(f"{len(blob)} bytes: no encryption ALG_ID after the BLOBHEADER")
    (enc_alg,) = U32.unpack_from(blob, HEADER.size)
    if enc_alg != CALG_RSA_KEYX:
        raise BlobError(f"encryption ALG_ID {alg_name(enc_alg)}, expected CALG_RSA_KEYX")
    ciphertext_le = blob[HEADER.size + U32.size :]
    if len(ciphertext_le) != k:
        raise BlobError(f"ciphertext is {len(ciphertext_le)} bytes, modulus is {k}")
    return alg, ciphertext_le[::-1]


def unwrap_simpleblob(key: rsa.RSAPrivateKey, blob: bytes, padding_kind: str) -> tuple[int, bytes]:
    alg, ciphertext = parse_simpleblob(blob, modulus_len(key))
    try:
        session = key.decrypt(ciphertext, rsa_padding(padding_kind))
    except ValueError:
        raise BlobError(f"RSA {padding_kind} decryption failed") from None
    if len(session) != AES_ALGS[alg]:
        # With PKCS#1 v1.5, OpenSSL's implicit rejection turns a bad padding into a synthetic random
        # plaintext instead of an error, so a wrong key or padding usually ends up here.
        raise BlobError(f"decrypted key is {len(session)} bytes, {alg_name(alg)} needs {AES_ALGS[alg]}")
    return alg, session


# --- PLAINTEXTKEYBLOB ------------------------------------------------------


def build_plaintextkeyblob(key: bytes, alg: int) -> bytes:
    return build_header(PLAINTEXTKEYBLOB, alg) + U32.pack(len(key)) + key


def parse_plaintextkeyblob(blob: bytes) -> tuple[int, bytes]:
    alg = parse_header(blob, PLAINTEXTKEYBLOB)
    if alg not in AES_ALGS:
        raise BlobError(f"aiKeyAlg {alg_name(alg)} is not an AES ALG_ID")
    if len(blob) < HEADER.size + U32.size:
        raise BlobError(f"{len(blob)} bytes: no key length after the BLOBHEADER")
    (length,) = U32.unpack_from(blob, HEADER.size)
    if length != AES_ALGS[alg]:
        raise BlobError(f"key length field {length}, {alg_name(alg)} needs {AES_ALGS[alg]}")
    key = blob[HEADER.size + U32.size :]
    if len(key) != length:
        raise BlobError(f"{len(key)} key bytes follow, length field says {length}")
    return alg, key


# --- message (IV || AES-CBC-PKCS7) -----------------------------------------


def encrypt_message(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    padder = sym_padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return iv + encryptor.update(padded) + encryptor.finalize()


def decrypt_message(key: bytes, message: bytes) -> bytes:
    if len(key) not in (16, 24, 32):
        raise BlobError(f"{len(key)}-byte key is not an AES key")
    if len(message) < 2 * AES_IV_LEN or len(message) % AES_IV_LEN:
        raise BlobError(f"{len(message)} bytes: not IV plus a whole number (>= 1) of AES blocks")
    iv, body = message[:AES_IV_LEN], message[AES_IV_LEN:]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(body) + decryptor.finalize()
    unpadder = sym_padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise BlobError("bad PKCS#7 padding (wrong key or corrupted message)") from None


# --- key comparison --------------------------------------------------------


def compare_private(expected: rsa.RSAPrivateNumbers, got: rsa.RSAPrivateNumbers) -> None:
    fields = {
        "modulus": (expected.public_numbers.n, got.public_numbers.n),
        "pubexp": (expected.public_numbers.e, got.public_numbers.e),
        "prime1": (expected.p, got.p),
        "prime2": (expected.q, got.q),
        "exponent1": (expected.dmp1, got.dmp1),
        "exponent2": (expected.dmq1, got.dmq1),
        "coefficient": (expected.iqmp, got.iqmp),
        "privateExponent": (expected.d, got.d),
    }
    for name, (want, have) in fields.items():
        if want != have:
            raise BlobError(f"{name} differs from the PEM key")


def pem_roundtrip_private(pem: bytes) -> bytes:
    """PEM -> PRIVATEKEYBLOB -> RSAPrivateNumbers -> PKCS#8 PEM."""
    blob = build_privatekeyblob(serialization.load_pem_private_key(pem, password=None))
    return private_pem(parse_privatekeyblob(blob).private_key())


def pem_roundtrip_public(pem: bytes) -> bytes:
    """PEM -> PUBLICKEYBLOB -> RSAPublicNumbers -> SubjectPublicKeyInfo PEM."""
    blob = build_publickeyblob(serialization.load_pem_public_key(pem))
    return public_pem(parse_publickeyblob(blob).public_key())


# --- generate --------------------------------------------------------------


@dataclass
class Entry:
    kind: str
    bits: int | None = None
    alg_id: int | None = None
    padding: str | None = None
    session_key: bytes | None = None
    leading: bytes | None = None  # expected leading bytes (blobs only)
    key_file: str | None = None
    note: str | None = None

    def to_json(self, data: bytes) -> dict:
        return {
            "kind": self.kind,
            "bits": self.bits,
            "alg_id": self.alg_id,
            "alg_name": None if self.alg_id is None else alg_name(self.alg_id),
            "padding": self.padding,
            "session_key_hex": None if self.session_key is None else self.session_key.hex(),
            "leading_hex": None if self.leading is None else self.leading.hex(),
            "key_file": self.key_file,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "note": self.note,
        }


def rsapubkey_prefix(btype: int, magic: int, key: rsa.RSAPublicKey | rsa.RSAPrivateKey) -> bytes:
    pub = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    return build_header(btype, CALG_RSA_KEYX) + RSAPUBKEY.pack(magic, key.key_size, pub.public_numbers().e)


def generate_valid(keys: dict[int, rsa.RSAPrivateKey]) -> dict[str, tuple[bytes, Entry]]:
    files: dict[str, tuple[bytes, Entry]] = {}
    for bits, key in keys.items():
        pub = key.public_key()
        stem = f"rsa{bits}"
        files[f"{stem}.key.pem"] = (private_pem(key), Entry("pkcs8-pem", bits))
        files[f"{stem}.pub.pem"] = (public_pem(pub), Entry("spki-pem", bits))
        files[f"{stem}.publickeyblob"] = (
            build_publickeyblob(pub),
            Entry("publickeyblob", bits, CALG_RSA_KEYX, leading=rsapubkey_prefix(PUBLICKEYBLOB, MAGIC_RSA1, key),
                  key_file=f"{stem}.pub.pem"),
        )
        files[f"{stem}.privatekeyblob"] = (
            build_privatekeyblob(key),
            Entry("privatekeyblob", bits, CALG_RSA_KEYX, leading=rsapubkey_prefix(PRIVATEKEYBLOB, MAGIC_RSA2, key),
                  key_file=f"{stem}.key.pem"),
        )

    recipient = keys[SIMPLEBLOB_RSA_BITS]
    key_file = f"rsa{SIMPLEBLOB_RSA_BITS}.key.pem"
    for aes_bits, alg in AES_ALG_BY_BITS.items():
        sk = session_key(aes_bits)
        for padding_kind in PADDINGS:
            blob = build_simpleblob(recipient.public_key(), sk, alg, padding_kind)
            leading = build_header(SIMPLEBLOB, alg) + U32.pack(CALG_RSA_KEYX)
            files[f"aes{aes_bits}-{padding_kind}.simpleblob"] = (
                blob,
                Entry("simpleblob", SIMPLEBLOB_RSA_BITS, alg, padding_kind, sk, leading, key_file),
            )
        blob = build_plaintextkeyblob(sk, alg)
        files[f"aes{aes_bits}.plaintextkeyblob"] = (
            blob,
            Entry("plaintextkeyblob", aes_bits, alg, session_key=sk, leading=blob[: HEADER.size + U32.size]),
        )

    sk = session_key(256)
    files["message-aes256.bin"] = (
        encrypt_message(sk, MESSAGE_IV, MESSAGE_PLAINTEXT),
        Entry("message", 256, CALG_AES_256, "pkcs7", sk, leading=MESSAGE_IV,
              note="IV (16 bytes, fixed so the file is reproducible) || AES-256-CBC-PKCS7 of message.txt"),
    )
    files["message.txt"] = (MESSAGE_PLAINTEXT, Entry("plaintext", note="UTF-8 plaintext of message-aes256.bin"))
    return files


def with_header_field(blob: bytes, *, btype: int | None = None, version: int | None = None,
                      alg: int | None = None) -> bytes:
    old_type, old_version, reserved, old_alg = HEADER.unpack_from(blob, 0)
    header = HEADER.pack(
        old_type if btype is None else btype,
        old_version if version is None else version,
        reserved,
        old_alg if alg is None else alg,
    )
    return header + blob[HEADER.size :]


def patch_u32(blob: bytes, offset: int, value: int) -> bytes:
    return blob[:offset] + U32.pack(value) + blob[offset + U32.size :]


def generate_malformed(valid: dict[str, tuple[bytes, Entry]]) -> dict[str, tuple[bytes, str, str, str]]:
    """name -> (data, parse_as, derived_from, description)."""
    pub = valid["rsa2048.publickeyblob"][0]
    priv = valid["rsa2048.privatekeyblob"][0]
    simple = valid["aes256-oaep.simpleblob"][0]
    simple128 = valid["aes128-oaep.simpleblob"][0]
    plain = valid["aes256.plaintextkeyblob"][0]
    plain128 = valid["aes128.plaintextkeyblob"][0]
    magic_at, bitlen_at = HEADER.size, HEADER.size + 4
    recipient_pub = load_public_pem_bytes(valid["rsa2048.pub.pem"][0])
    key32_as_aes128 = with_header_field(
        build_simpleblob(recipient_pub, session_key(256), CALG_AES_256, "oaep"), alg=CALG_AES_128
    )
    return {
        "public-truncated.publickeyblob": (
            pub[:-1], "publickeyblob", "rsa2048.publickeyblob", "valid 2048-bit PUBLICKEYBLOB cut by 1 byte"),
        "public-oversized.publickeyblob": (
            pub + b"\x00", "publickeyblob", "rsa2048.publickeyblob",
            "valid 2048-bit PUBLICKEYBLOB with 1 extra (zero) byte appended"),
        "public-magic-rsa2.publickeyblob": (
            patch_u32(pub, magic_at, MAGIC_RSA2), "publickeyblob", "rsa2048.publickeyblob",
            "PUBLICKEYBLOB whose RSAPUBKEY magic is RSA2 (private) instead of RSA1"),
        "public-bitlen-mismatch.publickeyblob": (
            patch_u32(pub, bitlen_at, 3072), "publickeyblob", "rsa2048.publickeyblob",
            "PUBLICKEYBLOB with bitlen 3072 but a 256-byte (2048-bit) modulus"),
        "public-btype-private.publickeyblob": (
            with_header_field(pub, btype=PRIVATEKEYBLOB), "publickeyblob", "rsa2048.publickeyblob",
            "PUBLICKEYBLOB with bType 0x07 (PRIVATEKEYBLOB) instead of 0x06"),
        "public-bversion-1.publickeyblob": (
            with_header_field(pub, version=0x01), "publickeyblob", "rsa2048.publickeyblob",
            "PUBLICKEYBLOB with bVersion 0x01 instead of 0x02"),
        "private-truncated.privatekeyblob": (
            priv[:-1], "privatekeyblob", "rsa2048.privatekeyblob", "valid 2048-bit PRIVATEKEYBLOB cut by 1 byte"),
        "private-magic-rsa1.privatekeyblob": (
            patch_u32(priv, magic_at, MAGIC_RSA1), "privatekeyblob", "rsa2048.privatekeyblob",
            "PRIVATEKEYBLOB whose RSAPUBKEY magic is RSA1 (public) instead of RSA2"),
        "simple-btype-public.simpleblob": (
            with_header_field(simple, btype=PUBLICKEYBLOB), "simpleblob", "aes256-oaep.simpleblob",
            "SIMPLEBLOB with bType 0x06 (PUBLICKEYBLOB) instead of 0x01"),
        "simple-keyalg-rsa-sign.simpleblob": (
            patch_u32(simple, HEADER.size, CALG_RSA_SIGN), "simpleblob", "aes256-oaep.simpleblob",
            "SIMPLEBLOB whose key (encryption) ALG_ID is CALG_RSA_SIGN instead of CALG_RSA_KEYX"),
        "simple-session-alg-rsa-keyx.simpleblob": (
            with_header_field(simple, alg=CALG_RSA_KEYX), "simpleblob", "aes256-oaep.simpleblob",
            "SIMPLEBLOB whose session aiKeyAlg is CALG_RSA_KEYX, not an AES ALG_ID"),
        "simple-truncated.simpleblob": (
            simple[:-1], "simpleblob", "aes256-oaep.simpleblob",
            "SIMPLEBLOB with a 255-byte ciphertext for a 2048-bit (256-byte) modulus"),
        "simple-keylen-mismatch.simpleblob": (
            key32_as_aes128, "simpleblob", "fresh",
            "SIMPLEBLOB (OAEP, rsa2048) whose header says CALG_AES_128 but whose RSA plaintext is the "
            "32-byte AES-256 session key; well-formed until decrypted"),
        "plaintext-alg-rsa-keyx.plaintextkeyblob": (
            with_header_field(plain, alg=CALG_RSA_KEYX), "plaintextkeyblob", "aes256.plaintextkeyblob",
            "PLAINTEXTKEYBLOB with aiKeyAlg CALG_RSA_KEYX instead of an AES ALG_ID"),
        "plaintext-len-vs-alg.plaintextkeyblob": (
            with_header_field(plain128, alg=CALG_AES_256), "plaintextkeyblob", "aes128.plaintextkeyblob",
            "PLAINTEXTKEYBLOB with CALG_AES_256 but key length field 16 (and 16 key bytes)"),
        "plaintext-len-vs-data.plaintextkeyblob": (
            plain[:-1], "plaintextkeyblob", "aes256.plaintextkeyblob",
            "PLAINTEXTKEYBLOB (CALG_AES_256, length field 32) with only 31 key bytes"),
        "empty.bin": (b"", "any", "none", "empty file (0 bytes)"),
        "header-only.publickeyblob": (
            pub[: HEADER.size], "any", "rsa2048.publickeyblob",
            "only the 8-byte BLOBHEADER of a valid PUBLICKEYBLOB (06 02 00 00 00 A4 00 00)"),
    }


def load_public_pem_bytes(pem: bytes) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem)
    assert isinstance(key, rsa.RSAPublicKey)
    return key


def build_vectors_json(valid: dict[str, tuple[bytes, Entry]],
                       malformed: dict[str, tuple[bytes, str, str, str]]) -> dict:
    return {
        "_source": "generated by xtask/vectors/capi_blobs.py, an independent implementation using Python's "
                   "cryptography; layouts of shared/spec/envelope.md 'CryptoAPI key BLOB interoperability'. "
                   "RSA keys and RSA padding are random; everything else is fixed.",
        "generator": {"script": "xtask/vectors/capi_blobs.py", "python": sys.version.split()[0],
                      "cryptography": cryptography.__version__},
        "constants": {
            "bType": {"SIMPLEBLOB": SIMPLEBLOB, "PUBLICKEYBLOB": PUBLICKEYBLOB, "PRIVATEKEYBLOB": PRIVATEKEYBLOB,
                      "PLAINTEXTKEYBLOB": PLAINTEXTKEYBLOB},
            "bVersion": BLOB_VERSION,
            "alg_id": {name: alg for alg, name in ALG_NAMES.items()},
            "magic": {"RSA1": MAGIC_RSA1, "RSA2": MAGIC_RSA2},
        },
        "paddings": {
            "oaep": "RSAES-OAEP, SHA-1, MGF1-SHA-1, empty label (CRYPT_OAEP)",
            "pkcs1": "RSAES-PKCS1-v1_5 type 2 (CryptoAPI default)",
            "pkcs7": "AES-CBC with PKCS#7 padding",
        },
        "session_keys": {
            f"aes{bits}": {"alg_id": alg, "alg_name": alg_name(alg), "key_hex": session_key(bits).hex()}
            for bits, alg in AES_ALG_BY_BITS.items()
        },
        "message": {
            "file": "message-aes256.bin",
            "plaintext_file": "message.txt",
            "plaintext_utf8": MESSAGE_PLAINTEXT.decode("utf-8"),
            "key_hex": session_key(256).hex(),
            "iv_hex": MESSAGE_IV.hex(),
            "message_hex": valid["message-aes256.bin"][0].hex(),
        },
        "files": {name: entry.to_json(data) for name, (data, entry) in valid.items()},
        "malformed": {
            f"malformed/{name}": {
                "parse_as": parse_as,
                "derived_from": derived,
                "description": description,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
            for name, (data, parse_as, derived, description) in malformed.items()
        },
    }


def cmd_generate(args: argparse.Namespace) -> int:
    outdir: Path = args.outdir
    if (outdir / "vectors.json").exists() and not args.force:
        print(f"{outdir}/vectors.json exists; the committed data is generated once (use --force to replace it)",
              file=sys.stderr)
        return 1
    keys = {bits: rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=bits) for bits in RSA_BITS}
    valid = generate_valid(keys)
    malformed = generate_malformed(valid)
    (outdir / "malformed").mkdir(parents=True, exist_ok=True)
    for name, (data, _entry) in valid.items():
        (outdir / name).write_bytes(data)
    for name, (data, *_rest) in malformed.items():
        (outdir / "malformed" / name).write_bytes(data)
    vectors = build_vectors_json(valid, malformed)
    (outdir / "vectors.json").write_text(json.dumps(vectors, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(valid)} files, {len(malformed)} malformed files and vectors.json to {outdir}")
    return verify_dir(outdir)


# --- verify ----------------------------------------------------------------


def verify_dir(directory: Path) -> int:
    """Re-check a whole data set against its vectors.json. Returns 0 if everything holds."""
    vectors = json.loads((directory / "vectors.json").read_text(encoding="utf-8"))
    failures: list[str] = []

    def expect(condition: bool, message: str) -> None:
        if not condition:
            failures.append(message)

    for name, info in {**vectors["files"], **vectors["malformed"]}.items():
        data = (directory / name).read_bytes()
        expect(len(data) == info["size"], f"{name}: size {len(data)} != {info['size']}")
        expect(hashlib.sha256(data).hexdigest() == info["sha256"], f"{name}: sha256 differs")
        if info.get("leading_hex"):
            expect(data.hex().startswith(info["leading_hex"]), f"{name}: leading bytes differ")

    private_keys = {}
    for bits in RSA_BITS:
        key_pem = (directory / f"rsa{bits}.key.pem").read_bytes()
        pub_pem = (directory / f"rsa{bits}.pub.pem").read_bytes()
        key = serialization.load_pem_private_key(key_pem, password=None)
        private_keys[bits] = key
        expect(key.key_size == bits, f"rsa{bits}: key has {key.key_size} bits")
        expect(public_pem(key.public_key()) == pub_pem, f"rsa{bits}: pub.pem is not the key's public half")
        for check, what in ((pem_roundtrip_private(key_pem) == key_pem, "key.pem"),
                            (pem_roundtrip_public(pub_pem) == pub_pem, "pub.pem")):
            expect(check, f"rsa{bits}.{what}: PEM -> BLOB -> PEM is not byte-identical")
        try:
            check_publickeyblob(key.public_key(), (directory / f"rsa{bits}.publickeyblob").read_bytes())
            check_privatekeyblob(key, (directory / f"rsa{bits}.privatekeyblob").read_bytes())
        except BlobError as err:
            failures.append(f"rsa{bits}: {err}")

    for name, info in vectors["files"].items():
        data = (directory / name).read_bytes()
        try:
            if info["kind"] == "simpleblob":
                alg, key = unwrap_simpleblob(private_keys[info["bits"]], data, info["padding"])
                expect((alg, key.hex()) == (info["alg_id"], info["session_key_hex"]), f"{name}: wrong unwrap")
                expect(len(data) == HEADER.size + U32.size + info["bits"] // 8, f"{name}: wrong length")
            elif info["kind"] == "plaintextkeyblob":
                alg, key = parse_plaintextkeyblob(data)
                expect((alg, key.hex()) == (info["alg_id"], info["session_key_hex"]), f"{name}: wrong key")
            elif info["kind"] == "message":
                plaintext = decrypt_message(bytes.fromhex(info["session_key_hex"]), data)
                expect(plaintext == (directory / "message.txt").read_bytes(), f"{name}: wrong plaintext")
                expect(plaintext.decode("utf-8") == vectors["message"]["plaintext_utf8"], f"{name}: text differs")
        except BlobError as err:
            failures.append(f"{name}: {err}")

    recipient = private_keys[SIMPLEBLOB_RSA_BITS]
    parsers = {
        "publickeyblob": parse_publickeyblob,
        "privatekeyblob": parse_privatekeyblob,
        "plaintextkeyblob": parse_plaintextkeyblob,
        "simpleblob": lambda blob: [unwrap_simpleblob(recipient, blob, p) for p in PADDINGS],
    }
    for name, info in vectors["malformed"].items():
        data = (directory / name).read_bytes()
        targets = parsers if info["parse_as"] == "any" else {info["parse_as"]: parsers[info["parse_as"]]}
        for kind, parse in targets.items():
            try:
                parse(data)
            except BlobError:
                continue
            failures.append(f"{name}: accepted as {kind}")

    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    if failures:
        return 1
    print(f"verified {len(vectors['files'])} files and {len(vectors['malformed'])} malformed files in {directory}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    return verify_dir(args.dir)


# --- check subcommands -----------------------------------------------------


def check_publickeyblob(expected: rsa.RSAPublicKey, blob: bytes) -> None:
    got = parse_publickeyblob(blob)
    want = expected.public_numbers()
    if got.n != want.n:
        raise BlobError("modulus differs from the PEM key")
    if got.e != want.e:
        raise BlobError(f"public exponent {got.e} differs from the PEM key's {want.e}")
    if blob != build_publickeyblob(expected):  # parse is strict, so this cannot fail; belt and braces
        raise BlobError("blob is not the canonical encoding of the PEM key")


def check_privatekeyblob(expected: rsa.RSAPrivateKey, blob: bytes) -> None:
    compare_private(expected.private_numbers(), parse_privatekeyblob(blob))
    if blob != build_privatekeyblob(expected):
        raise BlobError("blob is not the canonical encoding of the PEM key")


def cmd_check_simpleblob(args: argparse.Namespace) -> int:
    padding_kind = "pkcs1" if args.pkcs1 else "oaep"
    _alg, key = unwrap_simpleblob(load_private_pem(args.key), args.blob.read_bytes(), padding_kind)
    if key != args.expect_hex:
        raise BlobError(f"unwrapped key {key.hex()} != expected {args.expect_hex.hex()}")
    print(key.hex())
    return 0


def cmd_check_publickeyblob(args: argparse.Namespace) -> int:
    check_publickeyblob(load_public_pem(args.pub), args.blob.read_bytes())
    print("ok")
    return 0


def cmd_check_privatekeyblob(args: argparse.Namespace) -> int:
    check_privatekeyblob(load_private_pem(args.key), args.blob.read_bytes())
    print("ok")
    return 0


def cmd_check_plaintextkeyblob(args: argparse.Namespace) -> int:
    _alg, key = parse_plaintextkeyblob(args.blob.read_bytes())
    if key != args.expect_hex:
        raise BlobError(f"key {key.hex()} != expected {args.expect_hex.hex()}")
    print(key.hex())
    return 0


def cmd_decrypt_message(args: argparse.Namespace) -> int:
    plaintext = decrypt_message(args.key_hex, args.message.read_bytes())
    sys.stdout.buffer.write(plaintext)
    sys.stdout.buffer.flush()
    return 0


# --- CLI -------------------------------------------------------------------


def hex_bytes(text: str) -> bytes:
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not hex: {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Independent CryptoAPI key BLOB test-vector generator and checker.",
        epilog="check-* and decrypt-message exit 0 on success, 1 on a malformed or mismatching input.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("generate", help="generate the vector data set (fresh RSA keys)")
    p.add_argument("outdir", nargs="?", type=Path, default=DEFAULT_DIR, help=f"default {DEFAULT_DIR}")
    p.add_argument("--force", action="store_true", help="replace an existing data set")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("verify", help="re-check a data set against its vectors.json")
    p.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR, help=f"default {DEFAULT_DIR}")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("check-simpleblob", help="unwrap a SIMPLEBLOB and compare the session key")
    p.add_argument("key", type=Path, metavar="KEY.pem", help="recipient's PKCS#8 private key")
    p.add_argument("blob", type=Path, metavar="BLOB")
    p.add_argument("--pkcs1", action="store_true", help="PKCS#1 v1.5 padding (default: OAEP SHA-1)")
    p.add_argument("--expect-hex", type=hex_bytes, required=True, metavar="HEX", help="expected session key")
    p.set_defaults(func=cmd_check_simpleblob)

    p = sub.add_parser("check-publickeyblob", help="exit 0 iff BLOB encodes exactly the key in PUB.pem")
    p.add_argument("pub", type=Path, metavar="PUB.pem", help="SubjectPublicKeyInfo PEM")
    p.add_argument("blob", type=Path, metavar="BLOB")
    p.set_defaults(func=cmd_check_publickeyblob)

    p = sub.add_parser("check-privatekeyblob", help="exit 0 iff BLOB encodes exactly the key in KEY.pem")
    p.add_argument("key", type=Path, metavar="KEY.pem", help="PKCS#8 private key PEM")
    p.add_argument("blob", type=Path, metavar="BLOB")
    p.set_defaults(func=cmd_check_privatekeyblob)

    p = sub.add_parser("check-plaintextkeyblob", help="parse a PLAINTEXTKEYBLOB and compare the key")
    p.add_argument("blob", type=Path, metavar="BLOB")
    p.add_argument("--expect-hex", type=hex_bytes, required=True, metavar="HEX", help="expected key")
    p.set_defaults(func=cmd_check_plaintextkeyblob)

    p = sub.add_parser("decrypt-message", help="decrypt IV || AES-CBC-PKCS7 and print the plaintext")
    p.add_argument("key_hex", type=hex_bytes, metavar="KEY_HEX", help="AES key (16, 24 or 32 bytes)")
    p.add_argument("message", type=Path, metavar="MESSAGE.bin")
    p.set_defaults(func=cmd_decrypt_message)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BlobError as err:
        print(f"{args.command}: {err}", file=sys.stderr)
        return 1
    except (OSError, ValueError, TypeError) as err:  # unreadable file, PEM that does not load
        print(f"{args.command}: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
