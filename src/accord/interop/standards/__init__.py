"""Research-metadata standards: OpenAIRE CERIF-XML, the OAI-PMH endpoint that serves it, and RAiD JSON.

Only public records leave through these doors (see selectors.py for what "public" means for records
that carry no visibility of their own).
"""
