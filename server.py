"""Serve the ADMİU Knowledge Graph over the SPARQL 1.1 Protocol.

    python server.py                      # bundled graph at http://127.0.0.1:5000/sparql
    python server.py data.ttl more.trig   # any RDF files instead
    python server.py --help               # host, port, limits, workers
"""

import sys

from admiukg.serve import main

if __name__ == "__main__":
    sys.exit(main())
