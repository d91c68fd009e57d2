"""nexus_blast: bulk WhatsApp campaigns through WAHA, from the command line."""

__version__ = "0.1.0"
