"""Will a model run here: this machine or a recorded one, and one fit rule for every listing."""
