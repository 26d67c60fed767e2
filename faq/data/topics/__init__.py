"""FAQ topic files (*.yaml). A package only so that wheels include them."""
