"""Order sources: files from shops and spreadsheets turned into normalised, frozen records."""
