"""The Opportunities page (list, capture, one deal and its steps) and the Pipeline page."""
