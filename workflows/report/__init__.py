"""Reading results back: queries as rows or DataFrames, terminal tables, plots, the study summary and its HTML
report."""
