"""Administrative gazetteers, one module per country, built from the packages that ship their data."""
