"""stochedit-mini: a small latent diffusion model in Stable Diffusion's layout, trained on emoji."""
