"""The Python peer of the cold-start benchmark: what a typical Python Lambda of this workflow
would do at import (boto3 clients for S3 and Rekognition) and on an invoke (one S3 call)."""

import boto3
from botocore.exceptions import ClientError

s3 = boto3.client("s3")
rekognition = boto3.client("rekognition")


def handler(event, _context):
    try:
        s3.head_object(Bucket=event["bucket"], Key=event["key"])
    except ClientError as error:
        return {"error": error.response["Error"]["Code"]}
    return {"found": True}
