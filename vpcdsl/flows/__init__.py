"""Stage 4, flows: the data plane derived from a model, the pure filters
(NACLs, security groups), and the hop-by-hop walk of concrete packets."""
