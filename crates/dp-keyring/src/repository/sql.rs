//! What the PostgreSQL and MySQL repositories share: EF Core's table layout and its names.
//! (Stub: being written.)

/// Where EF Core's `DataProtectionKeys` table is, and what its columns are called. `None`
/// fields are detected from the database's catalogue (or take EF Core's defaults when the table
/// is created).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SqlTable {
    /// Schema (PostgreSQL; `public` by default).
    pub schema: Option<String>,
    /// Table name (`DataProtectionKeys`).
    pub table: Option<String>,
    /// Identity column (`Id`).
    pub id_col: Option<String>,
    /// Friendly-name column (`FriendlyName`).
    pub name_col: Option<String>,
    /// XML column (`Xml`).
    pub xml_col: Option<String>,
}
