"""Notifications: the outbox (written in the event's transaction), the worker and channels.

SMS goes through the provider `TRINVIS_SMS_PROVIDER` names (`channels/sms.py` and the
GatewayAPI and CPSMS adapters beside it); their delivery receipts are `receipts.py`.
"""
