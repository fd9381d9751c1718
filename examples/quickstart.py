print('quickstart placeholder until the analytic module lands')
