"""The hall floor: walk-in numbers (取号), calling (叫号) and the public display board."""
