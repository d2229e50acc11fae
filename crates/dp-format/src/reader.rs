//! The one way wire bytes are read: a borrowed cursor that names the field that ran out and
//! never panics.

use crate::FormatError;

/// A cursor over borrowed bytes. Every read names its field, so a short input fails with
/// [`FormatError::Truncated`] saying what was missing; [`Reader::finish`] rejects trailing bytes.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    /// The next `n` bytes.
    pub(crate) fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], FormatError> {
        if self.rest.len() < n {
            return Err(FormatError::Truncated { field });
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(head)
    }

    /// The next `N` bytes as an array.
    pub(crate) fn array<const N: usize>(
        &mut self,
        field: &'static str,
    ) -> Result<[u8; N], FormatError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, field)?);
        Ok(out)
    }

    /// The next `N` bytes, borrowed.
    pub(crate) fn array_ref<const N: usize>(
        &mut self,
        field: &'static str,
    ) -> Result<&'a [u8; N], FormatError> {
        self.take(N, field)?
            .try_into()
            .map_err(|_| FormatError::Truncated { field })
    }

    /// Everything not read yet, consumed.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.rest)
    }

    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, FormatError> {
        self.array::<1>(field).map(|[b]| b)
    }

    pub(crate) fn u16_be(&mut self, field: &'static str) -> Result<u16, FormatError> {
        self.array(field).map(u16::from_be_bytes)
    }

    pub(crate) fn u32_be(&mut self, field: &'static str) -> Result<u32, FormatError> {
        self.array(field).map(u32::from_be_bytes)
    }

    pub(crate) fn u32_le(&mut self, field: &'static str) -> Result<u32, FormatError> {
        self.array(field).map(u32::from_le_bytes)
    }

    pub(crate) fn u64_be(&mut self, field: &'static str) -> Result<u64, FormatError> {
        self.array(field).map(u64::from_be_bytes)
    }

    pub(crate) fn i64_be(&mut self, field: &'static str) -> Result<i64, FormatError> {
        self.array(field).map(i64::from_be_bytes)
    }

    /// How many bytes remain.
    pub(crate) fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Fails unless every byte was read.
    pub(crate) fn finish(&self) -> Result<(), FormatError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(FormatError::TrailingBytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field_that_ran_out_and_rejects_trailing_bytes() {
        let mut r = Reader::new(&[1, 2, 3, 4, 5]);
        assert_eq!(r.u16_be("a"), Ok(0x0102));
        assert_eq!(r.u32_be("b"), Err(FormatError::Truncated { field: "b" }));
        assert_eq!(r.u8("c"), Ok(3));
        assert_eq!(r.remaining(), 2);
        assert_eq!(r.finish(), Err(FormatError::TrailingBytes));
        assert_eq!(r.take(2, "d"), Ok(&[4, 5][..]));
        assert_eq!(r.finish(), Ok(()));
    }
}
