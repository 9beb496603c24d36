"""routine"""
