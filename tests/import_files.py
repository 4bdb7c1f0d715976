"""Small files that look like other systems' exports, written by the tests themselves."""

# ruff: noqa: E501

from __future__ import annotations

# A Salesforce/HubSpot-like opportunity export: their column names, US dates, their stage names,
# amounts with thousands separators, and an account Scalewise does not have.
SALESFORCE_OPPORTUNITIES = """\
Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Stage,Amount,Close Date,Created Date
006A1,Wolftop router refresh,Wolftop Provisions LLC,daniel.okafor@scalewise.example,Closed Won,"12,500.00",03/15/2026,01/10/2026
006A2,Sunstone switches,Sunstone Stores Co.,Priya Raman,Negotiation/Review,"48,000",06/30/2026,02/01/2026
006A3,New logo deal,Brandnew Widgets Ltd,Daniel Okafor,Prospecting,900,,02/03/2026
006A4,Lost to a competitor,Wolftop Provisions LLC,Daniel Okafor,Closed Lost,"1,000",02/20/2026,01/15/2026
"""
SALESFORCE_MAPPING = """\
[columns]
title = "Opportunity Name"

[values.stage]
"Negotiation/Review" = "scheduled"

[format]
date = "%m/%d/%Y"
"""

# The same with a bad row in the middle (an amount that is not a number, a date that is not one).
SALESFORCE_WITH_BAD_ROW = SALESFORCE_OPPORTUNITIES.replace('"48,000",06/30/2026', "lots,31/31/2026")

# An online-retail-like export of order lines: cancelled C-invoices, negative quantities, zero
# prices, missing customer ids, product names that differ slightly from the product list.
RETAIL_ORDER_LINES = """\
InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,SW-1001,Edge Router ER-400,2,12/1/2025 8:26,1850.00,17850,United Kingdom
536365,SW-1002,Core Switch CS-48,1,12/1/2025 8:26,4900.00,17850,United Kingdom
536366,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2025 8:28,2.55,17850,United Kingdom
C536379,SW-1001,Edge Router ER-400,-1,12/1/2025 9:41,1850.00,14527,United Kingdom
536380,22961,JAM MAKING SET PRINTED,-24,12/1/2025 9:41,1.45,17809,United Kingdom
536381,22139,RETROSPOT TEA SET,1,12/1/2025 9:45,0,17809,United Kingdom
536382,22139,RETROSPOT TEA SET,1,12/1/2025 9:50,4.25,,United Kingdom
536383,,Edge Routr ER400,1,12/1/2025 10:02,1850.00,17809,United Kingdom
536384,SW-1002,Core Switch CS-48,1,12/1/2025 10:05,4900.00,17809,France
536384,22139,RETROSPOT TEA SET,-2,12/1/2025 10:05,4.25,17809,France
"""
