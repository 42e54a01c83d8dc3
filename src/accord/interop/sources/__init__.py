"""Importers for published data sets: CORDIS (EU framework programmes) and treaty catalogues (UK FCDO).

Each importer reads its files completely, reports every bad place (file, row, column) before writing
anything, then upserts by external id through core.bulk in one transaction.
"""
