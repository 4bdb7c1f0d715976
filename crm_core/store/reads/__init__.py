"""The read side: what a page shows about one record, read in one read session and returned as
plain frozen values (`OrderDetail`, `OpportunityDetail`, `CustomerCard`). One module per area,
named after it; nothing here writes. The services re-export these, so pages import them from
`crm_core.services`."""
