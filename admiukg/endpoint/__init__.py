"""The SPARQL 1.1 Protocol endpoint: request handling, negotiation, the response cache, the
pool of killable query workers, result writers and the Service Description."""
