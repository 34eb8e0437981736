"""The walk's legs through composite components: load balancers, transit
gateways, and on-premises sites over VPN and Direct Connect."""
