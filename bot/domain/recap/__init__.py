"""The night's recap: what it says (assembled from the database), the picture
(drawn with Pillow), and posting it once per ceremony. No discord import."""
