"""Federation: each party runs its own Accord; the records they share travel between the two, signed.

Two halves meet in `protocol.py`: the node and its peers, signed messages, their order and transport (files
or HTTP) on one side; which changes of our audit chain travel to a peer, and how a change that arrives is
applied through the same services as a local user's, on the other.
"""
