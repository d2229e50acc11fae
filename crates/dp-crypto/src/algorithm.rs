//! Algorithm identifiers. Their .NET names are mapped in [`crate::names`], and only there.

use crate::CryptoError;

/// AES key size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AesKeySize {
    /// 128-bit key.
    Aes128,
    /// 192-bit key.
    Aes192,
    /// 256-bit key.
    Aes256,
}

impl AesKeySize {
    /// Key length in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            Self::Aes128 => 16,
            Self::Aes192 => 24,
            Self::Aes256 => 32,
        }
    }

    /// From a key length in bits (the `keyLength` attribute of Managed and CNG descriptors).
    ///
    /// # Errors
    /// [`CryptoError::UnknownAlgorithm`] for anything but 128, 192 or 256.
    pub fn from_bits(bits: u32) -> Result<Self, CryptoError> {
        match bits {
            128 => Ok(Self::Aes128),
            192 => Ok(Self::Aes192),
            256 => Ok(Self::Aes256),
            other => Err(CryptoError::UnknownAlgorithm(format!("AES-{other}"))),
        }
    }

    /// Key length in bits.
    pub const fn bits(self) -> u32 {
        match self {
            Self::Aes128 => 128,
            Self::Aes192 => 192,
            Self::Aes256 => 256,
        }
    }
}

/// .NET's `EncryptionAlgorithm` enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EncryptionAlgorithm {
    /// `AES_128_CBC`
    Aes128Cbc,
    /// `AES_192_CBC`
    Aes192Cbc,
    /// `AES_256_CBC` (the default)
    Aes256Cbc,
    /// `AES_128_GCM`
    Aes128Gcm,
    /// `AES_192_GCM`
    Aes192Gcm,
    /// `AES_256_GCM`
    Aes256Gcm,
}

impl EncryptionAlgorithm {
    /// Key size and whether the mode is GCM.
    pub const fn parts(self) -> (AesKeySize, bool) {
        match self {
            Self::Aes128Cbc => (AesKeySize::Aes128, false),
            Self::Aes192Cbc => (AesKeySize::Aes192, false),
            Self::Aes256Cbc => (AesKeySize::Aes256, false),
            Self::Aes128Gcm => (AesKeySize::Aes128, true),
            Self::Aes192Gcm => (AesKeySize::Aes192, true),
            Self::Aes256Gcm => (AesKeySize::Aes256, true),
        }
    }
}

/// The HMAC of a CBC + HMAC algorithm.
///
/// .NET's `ValidationAlgorithm` enum has `HMACSHA256` and `HMACSHA512`; a managed descriptor may
/// also name `HMACSHA1` and `HMACSHA384`, which are supported for reading such key rings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValidationAlgorithm {
    /// `HMACSHA1` (managed descriptors only; legacy).
    HmacSha1,
    /// `HMACSHA256` (the default)
    HmacSha256,
    /// `HMACSHA384` (managed descriptors only).
    HmacSha384,
    /// `HMACSHA512`
    HmacSha512,
}

impl ValidationAlgorithm {
    /// Digest size in bytes, which is also the HMAC key size .NET derives.
    pub const fn digest_len(self) -> usize {
        match self {
            Self::HmacSha1 => 20,
            Self::HmacSha256 => 32,
            Self::HmacSha384 => 48,
            Self::HmacSha512 => 64,
        }
    }
}

/// A complete authenticated-encryption configuration.
///
/// Text form (CLI, logs): the .NET names joined by `+`, e.g. `AES_256_CBC+HMACSHA256`, or the
/// GCM name alone, e.g. `AES_256_GCM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// AES-CBC with PKCS#7 padding, then HMAC over IV and ciphertext.
    CbcHmac {
        /// AES key size.
        aes: AesKeySize,
        /// HMAC digest.
        mac: ValidationAlgorithm,
    },
    /// AES-GCM with a 96-bit nonce and a 128-bit tag.
    Gcm {
        /// AES key size.
        aes: AesKeySize,
    },
}

impl Default for Algorithm {
    /// .NET's default: `AES_256_CBC` with `HMACSHA256`.
    fn default() -> Self {
        Self::CbcHmac {
            aes: AesKeySize::Aes256,
            mac: ValidationAlgorithm::HmacSha256,
        }
    }
}

impl Algorithm {
    /// Every supported configuration, in a stable order.
    pub const ALL: [Self; 15] = {
        use AesKeySize::*;
        use ValidationAlgorithm::*;
        [
            Self::CbcHmac {
                aes: Aes128,
                mac: HmacSha256,
            },
            Self::CbcHmac {
                aes: Aes192,
                mac: HmacSha256,
            },
            Self::CbcHmac {
                aes: Aes256,
                mac: HmacSha256,
            },
            Self::CbcHmac {
                aes: Aes128,
                mac: HmacSha512,
            },
            Self::CbcHmac {
                aes: Aes192,
                mac: HmacSha512,
            },
            Self::CbcHmac {
                aes: Aes256,
                mac: HmacSha512,
            },
            Self::CbcHmac {
                aes: Aes128,
                mac: HmacSha1,
            },
            Self::CbcHmac {
                aes: Aes192,
                mac: HmacSha1,
            },
            Self::CbcHmac {
                aes: Aes256,
                mac: HmacSha1,
            },
            Self::CbcHmac {
                aes: Aes128,
                mac: HmacSha384,
            },
            Self::CbcHmac {
                aes: Aes192,
                mac: HmacSha384,
            },
            Self::CbcHmac {
                aes: Aes256,
                mac: HmacSha384,
            },
            Self::Gcm { aes: Aes128 },
            Self::Gcm { aes: Aes192 },
            Self::Gcm { aes: Aes256 },
        ]
    };

    /// The configurations .NET's `AuthenticatedEncryptorConfiguration` can express (the six CBC
    /// combinations of `EncryptionAlgorithm` × `ValidationAlgorithm` and the three GCM ones).
    pub fn is_standard(self) -> bool {
        match self {
            Self::CbcHmac { mac, .. } => {
                matches!(
                    mac,
                    ValidationAlgorithm::HmacSha256 | ValidationAlgorithm::HmacSha512
                )
            }
            Self::Gcm { .. } => true,
        }
    }

    /// Builds a configuration from the descriptor's two XML elements; the validation algorithm
    /// is ignored for GCM, as in .NET.
    ///
    /// # Errors
    /// [`CryptoError::UnknownAlgorithm`] when CBC is named without a validation algorithm.
    pub fn from_parts(
        encryption: EncryptionAlgorithm,
        validation: Option<ValidationAlgorithm>,
    ) -> Result<Self, CryptoError> {
        match (encryption.parts(), validation) {
            ((aes, true), _) => Ok(Self::Gcm { aes }),
            ((aes, false), Some(mac)) => Ok(Self::CbcHmac { aes, mac }),
            ((_, false), None) => Err(CryptoError::UnknownAlgorithm(format!(
                "{} without a validation algorithm",
                encryption.xml_name()
            ))),
        }
    }

    /// The `EncryptionAlgorithm` member for this configuration.
    pub const fn encryption(self) -> EncryptionAlgorithm {
        use AesKeySize::*;
        match self {
            Self::CbcHmac { aes: Aes128, .. } => EncryptionAlgorithm::Aes128Cbc,
            Self::CbcHmac { aes: Aes192, .. } => EncryptionAlgorithm::Aes192Cbc,
            Self::CbcHmac { aes: Aes256, .. } => EncryptionAlgorithm::Aes256Cbc,
            Self::Gcm { aes: Aes128 } => EncryptionAlgorithm::Aes128Gcm,
            Self::Gcm { aes: Aes192 } => EncryptionAlgorithm::Aes192Gcm,
            Self::Gcm { aes: Aes256 } => EncryptionAlgorithm::Aes256Gcm,
        }
    }

    /// The validation algorithm, `None` for GCM.
    pub const fn validation(self) -> Option<ValidationAlgorithm> {
        match self {
            Self::CbcHmac { mac, .. } => Some(mac),
            Self::Gcm { .. } => None,
        }
    }

    /// The AES key size.
    pub const fn aes(self) -> AesKeySize {
        match self {
            Self::CbcHmac { aes, .. } | Self::Gcm { aes } => aes,
        }
    }

    /// Whether this is a GCM configuration.
    pub const fn is_gcm(self) -> bool {
        matches!(self, Self::Gcm { .. })
    }

    /// Position in [`Algorithm::ALL`], for per-algorithm caches.
    ///
    /// Computed from the variant rather than searched for, so there is no "not found" case to
    /// paper over with a default (which would hand one algorithm another's context header);
    /// `indices_are_distinct` checks it against the order of `ALL`.
    pub(crate) const fn index(self) -> usize {
        const fn aes(aes: AesKeySize) -> usize {
            match aes {
                AesKeySize::Aes128 => 0,
                AesKeySize::Aes192 => 1,
                AesKeySize::Aes256 => 2,
            }
        }
        match self {
            Self::CbcHmac { aes: size, mac } => {
                let row = match mac {
                    ValidationAlgorithm::HmacSha256 => 0,
                    ValidationAlgorithm::HmacSha512 => 1,
                    ValidationAlgorithm::HmacSha1 => 2,
                    ValidationAlgorithm::HmacSha384 => 3,
                };
                row * 3 + aes(size)
            }
            Self::Gcm { aes: size } => 12 + aes(size),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_are_distinct() {
        for (i, alg) in Algorithm::ALL.iter().enumerate() {
            assert_eq!(alg.index(), i);
        }
    }
}
