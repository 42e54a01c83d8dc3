"""Import and export of records as CSV, XLSX and JSON, and the importers of published data sets."""
