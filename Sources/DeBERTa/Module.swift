// DeBERTa module.
