"""The canonical shape of an imported payment: what every import writes and every analysis reads.

Each import writes one Parquet file with exactly these columns, whatever its source looked like.
"""

# Canonical fields a source column can be mapped to, with what they mean. `amount` and `payment_date`
# are required; the rest are kept when the file has them.
FIELDS: dict[str, str] = {
    "payment_date": "The date paid (or the effective date when no paid date is given)",
    "amount": "The amount paid in pounds; credits are negative",
    "supplier_name": "The supplier or beneficiary as written",
    "transaction_ref": "The transaction or payment reference, used to de-duplicate overlapping files",
    "body": "The organisation or department that paid",
    "service_area": "The service area, directorate or organisational unit",
    "expense_type": "The expense type, purpose or cost category",
    "category_code": "A category code such as a ProClass code",
    "description": "Free-text description",
    "supplier_postcode": "The supplier's postcode",
    "companies_house_number": "The supplier's Companies House number",
    "vat_number": "The supplier's VAT registration number",
    "charity_number": "The supplier's registered charity number",
    "irrecoverable_vat": "Irrecoverable VAT included in the amount",
}
REQUIRED_FIELDS = ("payment_date", "amount")

# The Parquet columns, in order, with DuckDB types. `line` is the line of the file the row started on;
# `supplier_key` is the normalised supplier name (NULL when redacted or blank), which joins to
# `Supplier.normalised_name` / `SupplierAlias.normalised_name`.
PARQUET_COLUMNS: dict[str, str] = {
    "import_id": "BIGINT",
    "line": "BIGINT",
    "payment_date": "DATE",
    "amount": "DECIMAL(18,2)",
    "supplier_name": "VARCHAR",
    "supplier_key": "VARCHAR",
    "redacted": "BOOLEAN",
    "transaction_ref": "VARCHAR",
    "body": "VARCHAR",
    "service_area": "VARCHAR",
    "expense_type": "VARCHAR",
    "category_code": "VARCHAR",
    "description": "VARCHAR",
    "supplier_postcode": "VARCHAR",
    "companies_house_number": "VARCHAR",
    "vat_number": "VARCHAR",
    "charity_number": "VARCHAR",
    "irrecoverable_vat": "DECIMAL(18,2)",
}

# The rejected rows' Parquet: the line, the reason, and the raw row as the file had it.
REJECT_COLUMNS: dict[str, str] = {"line": "BIGINT", "reason": "VARCHAR", "raw": "VARCHAR"}
