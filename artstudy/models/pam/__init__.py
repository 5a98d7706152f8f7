"""models/pam"""
