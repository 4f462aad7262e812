//! The JSON generators every resource shares: one per kind of document AWS
//! needs, from typed fields to JSON and back (parsing what is in force,
//! comparing by meaning). Pure: no AWS calls.

pub mod access;
pub mod lifecycle;
pub mod registry;
