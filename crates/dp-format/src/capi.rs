//! Windows CryptoAPI key BLOBs, as `CryptExportKey` writes and `CryptImportKey` reads them.
//!
//! ```text
//! BLOBHEADER (8):  bType u8 | bVersion u8 = 2 | reserved u16 = 0 | aiKeyAlg u32      (little-endian)
//!
//! SIMPLEBLOB        header{0x01, session ALG_ID} | u32 CALG_RSA_KEYX | RSA ciphertext, byte-reversed
//! PUBLICKEYBLOB     header{0x06, CALG_RSA_KEYX}  | RSAPUBKEY{"RSA1", bitlen, pubexp} | modulus[bitlen/8]
//! PRIVATEKEYBLOB    header{0x07, CALG_RSA_KEYX}  | RSAPUBKEY{"RSA2", bitlen, pubexp} | modulus[bitlen/8]
//!                   | prime1[bitlen/16] | prime2 | exponent1 | exponent2 | coefficient [bitlen/16 each]
//!                   | privateExponent[bitlen/8]
//! PLAINTEXTKEYBLOB  header{0x08, ALG_ID}         | u32 key length | key
//! ```
//! Every integer and every big number is little-endian on the wire; the types here hold big
//! numbers big-endian (as PKCS#1 and every RSA library do) and convert in exactly one place.
//! Parsers check every length against the declared bit length and reject trailing bytes.

use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::FormatError;
use crate::reader::Reader;

/// `bVersion` of every BLOB CryptoAPI writes.
pub const BLOB_VERSION: u8 = 2;
const HEADER_LEN: usize = 8;
const RSAPUBKEY_LEN: usize = 12;
const MAGIC_RSA1: u32 = 0x3141_5352;
const MAGIC_RSA2: u32 = 0x3241_5352;
/// Largest RSA modulus accepted in a BLOB (bounds allocations on hostile input).
pub const MAX_RSA_BITS: u32 = 16384;

/// `bType` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BlobType {
    /// `SIMPLEBLOB`: a session key encrypted to an RSA key-exchange key.
    SimpleBlob,
    /// `PUBLICKEYBLOB`: an RSA public key.
    PublicKeyBlob,
    /// `PRIVATEKEYBLOB`: an RSA key pair.
    PrivateKeyBlob,
    /// `PLAINTEXTKEYBLOB`: a session key in clear.
    PlaintextKeyBlob,
}

impl BlobType {
    /// The `bType` byte.
    pub const fn id(self) -> u8 {
        match self {
            Self::SimpleBlob => 0x01,
            Self::PublicKeyBlob => 0x06,
            Self::PrivateKeyBlob => 0x07,
            Self::PlaintextKeyBlob => 0x08,
        }
    }

    fn from_id(id: u8) -> Result<Self, FormatError> {
        match id {
            0x01 => Ok(Self::SimpleBlob),
            0x06 => Ok(Self::PublicKeyBlob),
            0x07 => Ok(Self::PrivateKeyBlob),
            0x08 => Ok(Self::PlaintextKeyBlob),
            found => Err(FormatError::WrongBlobType { found }),
        }
    }
}

/// The `ALG_ID`s these BLOBs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AlgId {
    /// `CALG_RSA_KEYX`: RSA key exchange.
    RsaKeyx,
    /// `CALG_RSA_SIGN`: RSA signature.
    RsaSign,
    /// `CALG_AES_128`.
    Aes128,
    /// `CALG_AES_192`.
    Aes192,
    /// `CALG_AES_256`.
    Aes256,
}

impl AlgId {
    /// The `ALG_ID` value.
    pub const fn value(self) -> u32 {
        match self {
            Self::RsaKeyx => 0x0000_A400,
            Self::RsaSign => 0x0000_2400,
            Self::Aes128 => 0x0000_660E,
            Self::Aes192 => 0x0000_660F,
            Self::Aes256 => 0x0000_6610,
        }
    }

    fn from_value(value: u32, field: &'static str) -> Result<Self, FormatError> {
        match value {
            0x0000_A400 => Ok(Self::RsaKeyx),
            0x0000_2400 => Ok(Self::RsaSign),
            0x0000_660E => Ok(Self::Aes128),
            0x0000_660F => Ok(Self::Aes192),
            0x0000_6610 => Ok(Self::Aes256),
            found => Err(FormatError::WrongAlgId { field, found }),
        }
    }

    /// Key length in bytes of an AES `ALG_ID`.
    pub const fn aes_key_len(self) -> Option<usize> {
        match self {
            Self::Aes128 => Some(16),
            Self::Aes192 => Some(24),
            Self::Aes256 => Some(32),
            Self::RsaKeyx | Self::RsaSign => None,
        }
    }

    /// The AES `ALG_ID` for a key length in bytes.
    pub const fn aes_for_key_len(len: usize) -> Option<Self> {
        match len {
            16 => Some(Self::Aes128),
            24 => Some(Self::Aes192),
            32 => Some(Self::Aes256),
            _ => None,
        }
    }
}

/// A little-endian big number of `n` bytes, returned big-endian.
fn number(r: &mut Reader<'_>, n: usize, field: &'static str) -> Result<Vec<u8>, FormatError> {
    let mut v = r.take(n, field)?.to_vec();
    v.reverse();
    Ok(v)
}

/// Reads the `BLOBHEADER` and checks its type.
fn header(r: &mut Reader<'_>, expected: BlobType) -> Result<u32, FormatError> {
    let found = blob_type_and_version(r)?;
    if r.array::<2>("BLOBHEADER")? != [0, 0] {
        return Err(FormatError::NonZeroReserved {
            field: "BLOBHEADER reserved",
        });
    }
    if found != expected {
        return Err(FormatError::WrongBlobType { found: found.id() });
    }
    r.u32_le("BLOBHEADER")
}

/// `bType` and `bVersion`, the first two bytes of every BLOB.
fn blob_type_and_version(r: &mut Reader<'_>) -> Result<BlobType, FormatError> {
    let found = BlobType::from_id(r.u8("BLOBHEADER")?)?;
    let version = r.u8("BLOBHEADER")?;
    if version != BLOB_VERSION {
        return Err(FormatError::UnsupportedBlobVersion { version });
    }
    Ok(found)
}

fn write_header(out: &mut Vec<u8>, blob_type: BlobType, alg: AlgId) {
    out.extend_from_slice(&[blob_type.id(), BLOB_VERSION, 0, 0]);
    out.extend_from_slice(&alg.value().to_le_bytes());
}

/// The type of a BLOB, from its header alone.
///
/// # Errors
/// A short header, an unknown type or version.
pub fn blob_type(bytes: &[u8]) -> Result<BlobType, FormatError> {
    let header = bytes.get(..HEADER_LEN).ok_or(FormatError::Truncated {
        field: "BLOBHEADER",
    })?;
    blob_type_and_version(&mut Reader::new(header))
}

/// Writes a big-endian number little-endian into a slot of `len` bytes, zero-padded.
fn write_number(
    out: &mut Vec<u8>,
    be: &[u8],
    len: usize,
    field: &'static str,
) -> Result<(), FormatError> {
    let significant = be
        .iter()
        .position(|b| *b != 0)
        .and_then(|i| be.get(i..))
        .unwrap_or_default();
    if significant.len() > len {
        return Err(FormatError::LengthMismatch { field });
    }
    out.extend(significant.iter().rev());
    out.extend(std::iter::repeat_n(0u8, len - significant.len()));
    Ok(())
}

fn bit_length(be: &[u8]) -> u32 {
    let Some((i, first)) = be.iter().enumerate().find(|(_, b)| **b != 0) else {
        return 0;
    };
    // Lengths here are bounded by MAX_RSA_BITS / 8; a longer number saturates, and the bound
    // check that follows every call refuses it.
    u32::try_from((be.len() - i) * 8).map_or(u32::MAX, |bits| bits - first.leading_zeros())
}

fn rsa_bit_len(bit_len: u32, multiple: u32) -> Result<usize, FormatError> {
    if bit_len == 0 || bit_len > MAX_RSA_BITS || !bit_len.is_multiple_of(multiple) {
        return Err(FormatError::LengthMismatch { field: "bitlen" });
    }
    usize::try_from(bit_len / 8).map_err(|_| FormatError::LengthMismatch { field: "bitlen" })
}

/// The `BLOBHEADER` and `RSAPUBKEY` that open public and private key BLOBs.
///
/// ```text
/// BLOBHEADER { bType, 2, 0, CALG_RSA_KEYX | CALG_RSA_SIGN } | magic | bitlen | pubexp
/// ```
struct RsaKeyHeader {
    alg: AlgId,
    bit_len: u32,
    public_exponent: u32,
    /// The modulus length in bytes.
    modulus_len: usize,
}

impl RsaKeyHeader {
    /// Reads and checks it; `multiple` is the number of bits `bitlen` must be a multiple of
    /// (8 for public BLOBs, 16 for private ones, whose primes take half slots).
    fn read(
        r: &mut Reader<'_>,
        blob_type: BlobType,
        magic: u32,
        multiple: u32,
    ) -> Result<Self, FormatError> {
        let alg = AlgId::from_value(header(r, blob_type)?, "key")?;
        if !matches!(alg, AlgId::RsaKeyx | AlgId::RsaSign) {
            return Err(FormatError::WrongAlgId {
                field: "key",
                found: alg.value(),
            });
        }
        if r.u32_le("RSAPUBKEY")? != magic {
            return Err(FormatError::WrongRsaMagic);
        }
        let bit_len = r.u32_le("RSAPUBKEY")?;
        let public_exponent = r.u32_le("RSAPUBKEY")?;
        Ok(Self {
            alg,
            bit_len,
            public_exponent,
            modulus_len: rsa_bit_len(bit_len, multiple)?,
        })
    }

    /// Checks what a key BLOB's numbers must satisfy before it is written, and writes the
    /// header; returns the modulus length in bytes.
    fn write(
        out: &mut Vec<u8>,
        blob_type: BlobType,
        magic: u32,
        multiple: u32,
        (alg, bit_len, public_exponent, modulus): (AlgId, u32, u32, &[u8]),
    ) -> Result<usize, FormatError> {
        let n = rsa_bit_len(bit_len, multiple)?;
        if bit_length(modulus) != bit_len {
            return Err(FormatError::LengthMismatch { field: "bitlen" });
        }
        check_rsa_numbers(modulus, public_exponent)?;
        write_header(out, blob_type, alg);
        out.extend_from_slice(&magic.to_le_bytes());
        out.extend_from_slice(&bit_len.to_le_bytes());
        out.extend_from_slice(&public_exponent.to_le_bytes());
        Ok(n)
    }

    /// Checks the modulus that was read against the header, then the numbers.
    fn check_modulus(&self, modulus: &[u8]) -> Result<(), FormatError> {
        if bit_length(modulus) != self.bit_len {
            return Err(FormatError::LengthMismatch { field: "bitlen" });
        }
        check_rsa_numbers(modulus, self.public_exponent)
    }
}

/// Rejects numbers no RSA key has, so that a BLOB that parses describes a key that RSA
/// libraries accept: the modulus is a product of odd primes, hence odd; the public exponent is
/// odd (it must be coprime to the even λ(n)) and at least 3. Which sizes and exponents are
/// *acceptable* is policy, decided by whoever uses the key.
fn check_rsa_numbers(modulus: &[u8], public_exponent: u32) -> Result<(), FormatError> {
    if modulus.last().is_none_or(|low| low & 1 == 0) {
        return Err(FormatError::InvalidRsaNumber { field: "modulus" });
    }
    if public_exponent < 3 || public_exponent & 1 == 0 {
        return Err(FormatError::InvalidRsaNumber { field: "pubexp" });
    }
    Ok(())
}

/// An RSA public key from a `PUBLICKEYBLOB`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaPublicBlob {
    /// `CALG_RSA_KEYX` or `CALG_RSA_SIGN`.
    pub alg: AlgId,
    /// `bitlen`: the modulus length in bits.
    pub bit_len: u32,
    /// `pubexp`.
    pub public_exponent: u32,
    /// The modulus, big-endian, exactly `bit_len / 8` bytes.
    pub modulus: Vec<u8>,
}

impl RsaPublicBlob {
    /// Parses a `PUBLICKEYBLOB`.
    ///
    /// # Errors
    /// Wrong type, version, ALG_ID or magic; lengths that disagree with `bitlen`; a modulus
    /// whose bit length is not `bitlen`; trailing bytes; then
    /// [`FormatError::InvalidRsaNumber`] for an even modulus or an even public exponent or one
    /// below 3.
    pub fn parse(bytes: &[u8]) -> Result<Self, FormatError> {
        let mut r = Reader::new(bytes);
        let h = RsaKeyHeader::read(&mut r, BlobType::PublicKeyBlob, MAGIC_RSA1, 8)?;
        if r.remaining() != h.modulus_len {
            return Err(FormatError::LengthMismatch { field: "modulus" });
        }
        let modulus = number(&mut r, h.modulus_len, "modulus")?;
        r.finish()?;
        h.check_modulus(&modulus)?;
        Ok(Self {
            alg: h.alg,
            bit_len: h.bit_len,
            public_exponent: h.public_exponent,
            modulus,
        })
    }

    /// Serializes a `PUBLICKEYBLOB`.
    ///
    /// # Errors
    /// [`FormatError::LengthMismatch`] when the modulus is not `bit_len` bits;
    /// [`FormatError::InvalidRsaNumber`] for numbers [`Self::parse`] would refuse.
    pub fn encode(&self) -> Result<Vec<u8>, FormatError> {
        let mut out = Vec::with_capacity(HEADER_LEN + RSAPUBKEY_LEN + self.modulus.len());
        let n = RsaKeyHeader::write(
            &mut out,
            BlobType::PublicKeyBlob,
            MAGIC_RSA1,
            8,
            (self.alg, self.bit_len, self.public_exponent, &self.modulus),
        )?;
        write_number(&mut out, &self.modulus, n, "modulus")?;
        Ok(out)
    }
}

/// An RSA key pair from a `PRIVATEKEYBLOB`. Every number is big-endian. Wiped on drop.
///
/// The numbers are private and reached through accessors, so that the secret ones are never
/// copied by a struct update or compared with `==` (which would not run in constant time).
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct RsaPrivateBlob {
    /// `CALG_RSA_KEYX` or `CALG_RSA_SIGN`.
    #[zeroize(skip)]
    alg: AlgId,
    /// `bitlen`.
    bit_len: u32,
    /// `pubexp`.
    public_exponent: u32,
    /// n.
    modulus: Vec<u8>,
    /// p.
    prime1: Vec<u8>,
    /// q.
    prime2: Vec<u8>,
    /// d mod (p − 1).
    exponent1: Vec<u8>,
    /// d mod (q − 1).
    exponent2: Vec<u8>,
    /// q⁻¹ mod p.
    coefficient: Vec<u8>,
    /// d.
    private_exponent: Vec<u8>,
}

impl fmt::Debug for RsaPrivateBlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RsaPrivateBlob")
    }
}

impl RsaPrivateBlob {
    /// A key pair from its numbers (big-endian), in the order of the BLOB: `alg`, `bitlen`,
    /// `pubexp`, then n, p, q, d mod (p − 1), d mod (q − 1), q⁻¹ mod p, d. Nothing is checked
    /// until [`Self::encode`].
    #[expect(
        clippy::too_many_arguments,
        reason = "the ten fields of a PRIVATEKEYBLOB in their wire order; a struct literal would \
                  need public secret fields"
    )]
    pub fn from_numbers(
        alg: AlgId,
        bit_len: u32,
        public_exponent: u32,
        modulus: Vec<u8>,
        prime1: Vec<u8>,
        prime2: Vec<u8>,
        exponent1: Vec<u8>,
        exponent2: Vec<u8>,
        coefficient: Vec<u8>,
        private_exponent: Vec<u8>,
    ) -> Self {
        Self {
            alg,
            bit_len,
            public_exponent,
            modulus,
            prime1,
            prime2,
            exponent1,
            exponent2,
            coefficient,
            private_exponent,
        }
    }

    /// `CALG_RSA_KEYX` or `CALG_RSA_SIGN`.
    pub fn alg(&self) -> AlgId {
        self.alg
    }

    /// `bitlen`: the modulus length in bits.
    pub fn bit_len(&self) -> u32 {
        self.bit_len
    }

    /// `pubexp`: the public exponent.
    pub fn public_exponent(&self) -> u32 {
        self.public_exponent
    }

    /// n, the modulus.
    pub fn modulus(&self) -> &[u8] {
        &self.modulus
    }

    /// p (secret).
    pub fn prime1(&self) -> &[u8] {
        &self.prime1
    }

    /// q (secret).
    pub fn prime2(&self) -> &[u8] {
        &self.prime2
    }

    /// d mod (p − 1) (secret).
    pub fn exponent1(&self) -> &[u8] {
        &self.exponent1
    }

    /// d mod (q − 1) (secret).
    pub fn exponent2(&self) -> &[u8] {
        &self.exponent2
    }

    /// q⁻¹ mod p (secret).
    pub fn coefficient(&self) -> &[u8] {
        &self.coefficient
    }

    /// d, the private exponent (secret).
    pub fn private_exponent(&self) -> &[u8] {
        &self.private_exponent
    }

    /// Parses a `PRIVATEKEYBLOB`.
    ///
    /// # Errors
    /// As [`RsaPublicBlob::parse`], with the `RSA2` magic and the eight numbers' slots. Whether
    /// the private numbers match the public ones is for the RSA implementation to check.
    pub fn parse(bytes: &[u8]) -> Result<Self, FormatError> {
        let mut r = Reader::new(bytes);
        let h = RsaKeyHeader::read(&mut r, BlobType::PrivateKeyBlob, MAGIC_RSA2, 16)?;
        let n = h.modulus_len;
        let half = n / 2;
        if r.remaining() != 2 * n + 5 * half {
            return Err(FormatError::LengthMismatch { field: "key data" });
        }
        let blob = Self {
            alg: h.alg,
            bit_len: h.bit_len,
            public_exponent: h.public_exponent,
            modulus: number(&mut r, n, "modulus")?,
            prime1: number(&mut r, half, "prime1")?,
            prime2: number(&mut r, half, "prime2")?,
            exponent1: number(&mut r, half, "exponent1")?,
            exponent2: number(&mut r, half, "exponent2")?,
            coefficient: number(&mut r, half, "coefficient")?,
            private_exponent: number(&mut r, n, "privateExponent")?,
        };
        r.finish()?;
        h.check_modulus(&blob.modulus)?;
        Ok(blob)
    }

    /// Serializes a `PRIVATEKEYBLOB` (secret: wipe the result after use).
    ///
    /// # Errors
    /// [`FormatError::LengthMismatch`] when a number does not fit its slot (primes of unequal
    /// size cannot be represented); [`FormatError::InvalidRsaNumber`] as for
    /// [`RsaPublicBlob::encode`].
    pub fn encode(&self) -> Result<Vec<u8>, FormatError> {
        let len = self.modulus.len();
        let mut out = Vec::with_capacity(HEADER_LEN + RSAPUBKEY_LEN + 2 * len + 5 * len / 2);
        let n = RsaKeyHeader::write(
            &mut out,
            BlobType::PrivateKeyBlob,
            MAGIC_RSA2,
            16,
            (self.alg, self.bit_len, self.public_exponent, &self.modulus),
        )?;
        let half = n / 2;
        let result = (|| {
            write_number(&mut out, &self.modulus, n, "modulus")?;
            write_number(&mut out, &self.prime1, half, "prime1")?;
            write_number(&mut out, &self.prime2, half, "prime2")?;
            write_number(&mut out, &self.exponent1, half, "exponent1")?;
            write_number(&mut out, &self.exponent2, half, "exponent2")?;
            write_number(&mut out, &self.coefficient, half, "coefficient")?;
            write_number(&mut out, &self.private_exponent, n, "privateExponent")
        })();
        match result {
            Ok(()) => Ok(out),
            Err(e) => {
                out.zeroize();
                Err(e)
            }
        }
    }
}

/// A session key encrypted to an RSA key-exchange key (`SIMPLEBLOB`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleBlob {
    /// The session key's algorithm (AES-128/192/256).
    pub session_alg: AlgId,
    /// The RSA ciphertext, big-endian (as RSA produces it; the wire holds it reversed).
    pub ciphertext: Vec<u8>,
}

impl SimpleBlob {
    /// Parses a `SIMPLEBLOB`. The ciphertext length is checked against the recipient's modulus
    /// by whoever holds the key.
    ///
    /// # Errors
    /// Wrong type or version; a session ALG_ID that is not AES; a key ALG_ID that is not
    /// `CALG_RSA_KEYX`; a ciphertext shorter than 64 or longer than 2048 bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, FormatError> {
        let mut r = Reader::new(bytes);
        let session_alg = AlgId::from_value(header(&mut r, BlobType::SimpleBlob)?, "session key")?;
        if session_alg.aes_key_len().is_none() {
            return Err(FormatError::WrongAlgId {
                field: "session key",
                found: session_alg.value(),
            });
        }
        let key_alg = r.u32_le("key ALG_ID")?;
        if key_alg != AlgId::RsaKeyx.value() {
            return Err(FormatError::WrongAlgId {
                field: "key exchange",
                found: key_alg,
            });
        }
        let len = r.remaining();
        if !(64..=(MAX_RSA_BITS as usize / 8)).contains(&len) {
            return Err(FormatError::LengthMismatch {
                field: "encrypted key",
            });
        }
        let ciphertext = number(&mut r, len, "encrypted key")?;
        Ok(Self {
            session_alg,
            ciphertext,
        })
    }

    /// Serializes a `SIMPLEBLOB`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + 4 + self.ciphertext.len());
        write_header(&mut out, BlobType::SimpleBlob, self.session_alg);
        out.extend_from_slice(&AlgId::RsaKeyx.value().to_le_bytes());
        out.extend(self.ciphertext.iter().rev());
        out
    }
}

/// A session key in clear (`PLAINTEXTKEYBLOB`). Wiped on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct PlaintextKeyBlob {
    /// The key's algorithm (AES).
    #[zeroize(skip)]
    alg: AlgId,
    /// The key bytes.
    key: Vec<u8>,
}

impl fmt::Debug for PlaintextKeyBlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PlaintextKeyBlob")
    }
}

impl PlaintextKeyBlob {
    /// A session key of algorithm `alg`; the length is checked by [`Self::encode`].
    pub fn new(alg: AlgId, key: Vec<u8>) -> Self {
        Self { alg, key }
    }

    /// The key's algorithm.
    pub fn alg(&self) -> AlgId {
        self.alg
    }

    /// The key bytes (secret).
    pub fn key(&self) -> &[u8] {
        &self.key
    }

    /// Parses a `PLAINTEXTKEYBLOB`.
    ///
    /// # Errors
    /// Wrong type, version or ALG_ID; a length field that disagrees with the ALG_ID or the data.
    pub fn parse(bytes: &[u8]) -> Result<Self, FormatError> {
        let mut r = Reader::new(bytes);
        let alg = AlgId::from_value(header(&mut r, BlobType::PlaintextKeyBlob)?, "key")?;
        let expected = alg.aes_key_len().ok_or(FormatError::WrongAlgId {
            field: "key",
            found: alg.value(),
        })?;
        let len = r.u32_le("key length")?;
        if usize::try_from(len).ok() != Some(expected) {
            return Err(FormatError::LengthMismatch {
                field: "key length",
            });
        }
        if r.remaining() != expected {
            return Err(FormatError::LengthMismatch { field: "key" });
        }
        let key = r.take(expected, "key")?.to_vec();
        Ok(Self { alg, key })
    }

    /// Serializes a `PLAINTEXTKEYBLOB`.
    ///
    /// # Errors
    /// [`FormatError::LengthMismatch`] when the key length does not match the ALG_ID.
    pub fn encode(&self) -> Result<Vec<u8>, FormatError> {
        if self.alg.aes_key_len() != Some(self.key.len()) {
            return Err(FormatError::LengthMismatch { field: "key" });
        }
        let mut out = Vec::with_capacity(HEADER_LEN + 4 + self.key.len());
        write_header(&mut out, BlobType::PlaintextKeyBlob, self.alg);
        out.extend_from_slice(&u32::try_from(self.key.len()).unwrap_or(0).to_le_bytes());
        out.extend_from_slice(&self.key);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modulus(bits: usize) -> Vec<u8> {
        let mut m = vec![0x5Au8; bits / 8];
        m[0] = 0xC1;
        m[bits / 8 - 1] = 0x5B; // odd, as every RSA modulus
        m
    }

    #[test]
    fn public_blob_prefix_and_round_trip() -> Result<(), FormatError> {
        let blob = RsaPublicBlob {
            alg: AlgId::RsaKeyx,
            bit_len: 2048,
            public_exponent: 65537,
            modulus: modulus(2048),
        };
        let bytes = blob.encode()?;
        assert_eq!(
            &bytes[..20],
            &[
                0x06, 0x02, 0, 0, 0x00, 0xA4, 0, 0, 0x52, 0x53, 0x41, 0x31, 0x00, 0x08, 0, 0, 0x01,
                0x00, 0x01, 0x00
            ]
        );
        assert_eq!(bytes.len(), 20 + 256);
        assert_eq!(RsaPublicBlob::parse(&bytes)?, blob);
        assert_eq!(blob_type(&bytes)?, BlobType::PublicKeyBlob);
        Ok(())
    }

    #[test]
    fn simple_blob_prefix_and_reversal() -> Result<(), FormatError> {
        let ct: Vec<u8> = (0..=255u8).collect();
        let blob = SimpleBlob {
            session_alg: AlgId::Aes256,
            ciphertext: ct.clone(),
        };
        let bytes = blob.encode();
        assert_eq!(
            &bytes[..12],
            &[0x01, 0x02, 0, 0, 0x10, 0x66, 0, 0, 0x00, 0xA4, 0, 0]
        );
        assert_eq!(bytes.len(), 268);
        assert_eq!(
            bytes[12], 255,
            "the ciphertext is byte-reversed on the wire"
        );
        assert_eq!(SimpleBlob::parse(&bytes)?.ciphertext, ct);
        Ok(())
    }

    #[test]
    fn rejects_inconsistent_blobs() -> Result<(), FormatError> {
        let good = RsaPublicBlob {
            alg: AlgId::RsaKeyx,
            bit_len: 2048,
            public_exponent: 65537,
            modulus: modulus(2048),
        }
        .encode()?;
        assert_eq!(
            RsaPublicBlob::parse(&good[..good.len() - 1]),
            Err(FormatError::LengthMismatch { field: "modulus" })
        );
        let mut longer = good.clone();
        longer.push(0);
        assert_eq!(
            RsaPublicBlob::parse(&longer),
            Err(FormatError::LengthMismatch { field: "modulus" })
        );
        let mut magic = good.clone();
        magic[11] = 0x32;
        assert_eq!(
            RsaPublicBlob::parse(&magic),
            Err(FormatError::WrongRsaMagic)
        );
        let mut bits = good.clone();
        bits[12..16].copy_from_slice(&2056u32.to_le_bytes());
        assert_eq!(
            RsaPublicBlob::parse(&bits),
            Err(FormatError::LengthMismatch { field: "modulus" })
        );
        let mut top = good.clone();
        let last = top.len() - 1;
        top[last] = 0x01; // modulus now 2041 bits
        assert_eq!(
            RsaPublicBlob::parse(&top),
            Err(FormatError::LengthMismatch { field: "bitlen" })
        );
        let mut version = good.clone();
        version[1] = 1;
        assert_eq!(
            RsaPublicBlob::parse(&version),
            Err(FormatError::UnsupportedBlobVersion { version: 1 })
        );
        let mut kind = good.clone();
        kind[0] = 0x07;
        assert_eq!(
            RsaPublicBlob::parse(&kind),
            Err(FormatError::WrongBlobType { found: 0x07 })
        );
        let mut alg = good.clone();
        alg[4..8].copy_from_slice(&0x6610u32.to_le_bytes());
        assert_eq!(
            RsaPublicBlob::parse(&alg),
            Err(FormatError::WrongAlgId {
                field: "key",
                found: 0x6610
            })
        );
        assert_eq!(
            RsaPublicBlob::parse(&[]),
            Err(FormatError::Truncated {
                field: "BLOBHEADER"
            })
        );
        assert_eq!(
            RsaPublicBlob::parse(&good[..8]),
            Err(FormatError::Truncated { field: "RSAPUBKEY" })
        );

        let plain = PlaintextKeyBlob::new(AlgId::Aes128, vec![1; 16]).encode()?;
        let mut wrong_len = plain.clone();
        wrong_len[8] = 32;
        assert_eq!(
            PlaintextKeyBlob::parse(&wrong_len).err(),
            Some(FormatError::LengthMismatch {
                field: "key length"
            })
        );
        let mut rsa_alg = plain.clone();
        rsa_alg[4..8].copy_from_slice(&0xA400u32.to_le_bytes());
        assert_eq!(
            PlaintextKeyBlob::parse(&rsa_alg).err(),
            Some(FormatError::WrongAlgId {
                field: "key",
                found: 0xA400
            })
        );
        let mut simple = SimpleBlob {
            session_alg: AlgId::Aes128,
            ciphertext: vec![9; 256],
        }
        .encode();
        simple[8..12].copy_from_slice(&0x2400u32.to_le_bytes());
        assert_eq!(
            SimpleBlob::parse(&simple),
            Err(FormatError::WrongAlgId {
                field: "key exchange",
                found: 0x2400
            })
        );
        Ok(())
    }

    #[test]
    fn rejects_numbers_no_rsa_key_has() -> Result<(), FormatError> {
        let blob = RsaPublicBlob {
            alg: AlgId::RsaKeyx,
            bit_len: 2048,
            public_exponent: 65537,
            modulus: modulus(2048),
        };
        let good = blob.encode()?;
        // The modulus is little-endian on the wire: its lowest byte comes first.
        let mut even = good.clone();
        even[20] &= 0xFE;
        assert_eq!(
            RsaPublicBlob::parse(&even),
            Err(FormatError::InvalidRsaNumber { field: "modulus" })
        );
        for e in [0u32, 1, 2, 4, 65536] {
            let mut bad = good.clone();
            bad[16..20].copy_from_slice(&e.to_le_bytes());
            assert_eq!(
                RsaPublicBlob::parse(&bad),
                Err(FormatError::InvalidRsaNumber { field: "pubexp" }),
                "e = {e}"
            );
        }
        // Odd exponents other than 65537 are well-formed; refusing them is policy.
        let mut three = good.clone();
        three[16..20].copy_from_slice(&3u32.to_le_bytes());
        assert_eq!(RsaPublicBlob::parse(&three)?.public_exponent, 3);
        // The encoder refuses what the parser would.
        let mut even_blob = blob.clone();
        even_blob.modulus[255] = 0x5A;
        assert_eq!(
            even_blob.encode(),
            Err(FormatError::InvalidRsaNumber { field: "modulus" })
        );
        let mut one = blob.clone();
        one.public_exponent = 1;
        assert_eq!(
            one.encode(),
            Err(FormatError::InvalidRsaNumber { field: "pubexp" })
        );
        Ok(())
    }

    #[test]
    fn private_blob_round_trip() -> Result<(), FormatError> {
        let half = |b: u8| {
            let mut v = vec![b; 128];
            v[0] = 0x80 | b;
            v
        };
        let make = || {
            RsaPrivateBlob::from_numbers(
                AlgId::RsaKeyx,
                2048,
                65537,
                modulus(2048),
                half(1),
                half(2),
                half(3),
                half(4),
                vec![5; 100],
                modulus(2048),
            )
        };
        let blob = make();
        let bytes = blob.encode()?;
        assert_eq!(bytes.len(), 20 + 256 * 2 + 128 * 5);
        assert_eq!(&bytes[8..12], b"RSA2");
        let parsed = RsaPrivateBlob::parse(&bytes)?;
        assert_eq!(parsed.prime1, blob.prime1);
        // Short numbers are zero-padded on the wire and come back with their leading zeros.
        assert_eq!(&parsed.coefficient[28..], &blob.coefficient[..]);
        assert_eq!(format!("{parsed:?}"), "RsaPrivateBlob");
        let mut even = bytes.clone();
        even[20] &= 0xFE;
        assert_eq!(
            RsaPrivateBlob::parse(&even).err(),
            Some(FormatError::InvalidRsaNumber { field: "modulus" })
        );
        let mut e_even = make();
        e_even.public_exponent = 65536;
        assert_eq!(
            e_even.encode(),
            Err(FormatError::InvalidRsaNumber { field: "pubexp" })
        );
        let mut too_big = make();
        too_big.prime1 = vec![0xFF; 129];
        assert_eq!(
            too_big.encode(),
            Err(FormatError::LengthMismatch { field: "prime1" })
        );
        Ok(())
    }
}
