//! NACHA files (the Nacha Operating Rules, Appendix Three): fixed-width records of 94
//! characters, in blocks of 10.
//!
//! - `write`: Anton's outbound credit files (PPD for people, CCD for companies).
//! - `read`: a reader of any NACHA file, written from the record layouts alone and not from the
//!   writer, so a file the writer makes is checked by code that shares none of its mistakes.
//! - `returns`: what a return reason code means for a payout (its failure code).

pub mod read;
pub mod returns;
pub mod write;

#[cfg(test)]
mod roundtrip_tests;

/// Characters in every record.
pub const RECORD_LEN: usize = 94;
/// Records in a block; a file is padded with records of `9`s to a whole number of blocks.
pub const BLOCKING_FACTOR: usize = 10;
